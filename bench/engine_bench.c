/* engine_bench.c — the lifecycle engine alone: segments per second.
 *
 *   cc -O2 -I plugin/engine bench/engine_bench.c plugin/engine/lifecycle.c \
 *      plugin/engine/tcp_header.c -o engine_bench
 *   ./engine_bench [SEGMENTS [DATA_PER_CONN [ACTIVE]]]
 *
 * Builds a block of synthetic connections (SYN, SYN-ACK, ACK, DATA_PER_CONN
 * data segments — one request from the client, the rest from the server —
 * client FIN, server FIN+ACK, final ACK), interleaved ACTIVE connections at a
 * time as on a busy link, and replays the block through tl_conn_init /
 * tl_conn_step until SEGMENTS segments have been stepped. Verdicts the engine
 * asks to keep (TL_STEP_KEEP) are stored (tl_store) and linked with
 * tl_conn_keep, as the plugin does; plain verdicts are dropped. Generating the
 * segments is outside the timed loop. Prints segments/s (best of 5 rounds)
 * (CPU time of the process, so a busy machine disturbs it little) and the
 * engine's per-connection memory. Only the public API of lifecycle.h is used.
 */
#define _POSIX_C_SOURCE 199309L
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lifecycle.h"

#define BLOCK_CONNS 65536u

typedef struct {
    tl_segment seg;
    uint32_t conn;          /* index in the block */
} bench_seg;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);  /* CPU time: robust to a busy machine */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The steps of connection c, in order. Returns how many. */
static unsigned make_conn(uint32_t c, unsigned data, tl_segment *out)
{
    uint32_t isn_c = c * 2654435761u, isn_s = ~c * 40503u;
    uint32_t cn = isn_c + 1, sn = isn_s + 1;
    uint16_t cport = (uint16_t)(1024 + c % 64000), sport = (uint16_t)(5001 + c % 4);
    uint32_t tsv = 1000 + c;
    unsigned n = 0;
    tl_segment s;

#define SEG(from_client, fl, sq, ak, ln)                                              \
    do {                                                                              \
        memset(&s, 0, sizeof s);                                                      \
        s.from_a = (from_client);                                                     \
        s.sport = (from_client) ? cport : sport;                                      \
        s.dport = (from_client) ? sport : cport;                                      \
        s.flags = (uint8_t)(fl);                                                      \
        s.seq = (sq);                                                                 \
        s.ack = (ak);                                                                 \
        s.len = (ln);                                                                 \
        s.wscale = -1;                                                                \
        s.has_ts = true;                                                              \
        s.tsval = tsv++;                                                              \
        s.tsecr = tsv - 2;                                                            \
        out[n] = s;                                                                   \
        n++;                                                                          \
    } while (0)

    SEG(true, TL_SYN, isn_c, 0, 0);
    out[n - 1].mss = 1460; out[n - 1].wscale = 7; out[n - 1].sack_perm = true;
    SEG(false, TL_SYN | TL_ACK, isn_s, cn, 0);
    out[n - 1].mss = 1460; out[n - 1].wscale = 7; out[n - 1].sack_perm = true;
    SEG(true, TL_ACK, cn, sn, 0);
    for (unsigned k = 0; k < data; k++) {
        if (k == 0) {
            SEG(true, TL_ACK | TL_PSH, cn, sn, 100);
            cn += 100;
        } else {
            SEG(false, TL_ACK, sn, cn, 1448);
            sn += 1448;
        }
    }
    SEG(true, TL_FIN | TL_ACK, cn, sn, 0);
    SEG(false, TL_FIN | TL_ACK, sn, cn + 1, 0);
    SEG(true, TL_ACK, cn + 1, sn + 1, 0);
#undef SEG
    return n;
}

int main(int argc, char **argv)
{
    unsigned long long want = argc > 1 ? strtoull(argv[1], NULL, 10) : 50000000ull;
    unsigned data = argc > 2 ? (unsigned)atoi(argv[2]) : 4;
    unsigned active = argc > 3 ? (unsigned)atoi(argv[3]) : 256;
    if (data > 64 || active == 0 || active > BLOCK_CONNS) {
        fprintf(stderr, "usage: engine_bench [SEGMENTS [DATA_PER_CONN<=64 [ACTIVE<=%u]]]\n", BLOCK_CONNS);
        return 2;
    }
    /* Each round stores its kept verdicts afresh (tl_store_clear between
     * rounds). Keep the freed chunks in the process, so that the rounds after
     * the first measure the engine, not the kernel's page faults for new memory. */
    mallopt(M_TRIM_THRESHOLD, -1);
    const unsigned per = 6 + data;
    size_t nseg = (size_t)BLOCK_CONNS * per;
    bench_seg *segs = malloc(nseg * sizeof *segs);
    tl_segment *one = malloc(per * sizeof *one);
    tl_conn *conns = malloc(BLOCK_CONNS * sizeof *conns);
    if (!segs || !one || !conns) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }

    /* Interleave: groups of `active` connections, step j of each in turn. */
    size_t at = 0;
    int64_t ts = 0;
    uint32_t frame = 0;
    for (uint32_t g = 0; g < BLOCK_CONNS; g += active) {
        uint32_t end = g + active < BLOCK_CONNS ? g + active : BLOCK_CONNS;
        for (unsigned j = 0; j < per; j++) {
            for (uint32_t c = g; c < end; c++) {
                make_conn(c, data, one);
                segs[at].seg = one[j];
                segs[at].seg.ts = (ts += 1000);
                segs[at].seg.frame = ++frame;
                segs[at].conn = c;
                at++;
            }
        }
    }

    unsigned long long rounds_per = (want + nseg - 1) / nseg;
    if (rounds_per == 0)
        rounds_per = 1;
    unsigned long long counts[TL_STEP_NEW_CONN + 1] = { 0 };
    unsigned long long kept_total = 0, events[TL_EV_COUNT] = { 0 };
    double best = 1e30;
    volatile uint32_t sink = 0;

    for (int round = 0; round < 5; round++) {
        unsigned long long stepped = 0;
        double t0 = now_s();
        for (unsigned long long r = 0; r < rounds_per; r++) {
            size_t kept = 0;
            tl_store_clear();
            for (uint32_t c = 0; c < BLOCK_CONNS; c++)
                tl_conn_init(&conns[c], c);
            for (size_t i = 0; i < nseg; i++) {
                tl_verdict v;
                tl_gap gap = { { 0, 0 }, { 0, 0 } };    /* as the plugin counts plain data */
                tl_conn *conn = &conns[segs[i].conn];
                tl_step_result res = tl_conn_step(conn, &segs[i].seg, &v, &gap);
                if (res == TL_STEP_KEEP) {
                    tl_conn_keep(conn, tl_store(&v));
                    kept++;
                }
                sink += v.event;
                if (round == 0) {
                    counts[res]++;
                    if (v.event < TL_EV_COUNT)
                        events[v.event]++;
                }
            }
            stepped += nseg;
            if (round == 0)
                kept_total += kept;
            sink += (uint32_t)tl_conn_close_type(&conns[0]);
        }
        double dt = now_s() - t0;
        double rate = (double)stepped / dt;
        if (dt / (double)stepped < best)
            best = dt / (double)stepped;
        printf("round %d: %llu segments in %.3f s = %.1f M segments/s\n", round + 1, stepped, dt, rate / 1e6);
    }

    unsigned long long total = rounds_per * nseg;
    printf("segments per connection: %u (data %u), interleaved %u at a time\n", per, data, active);
    printf("results (round 1): plain %llu, keep %llu, new_conn %llu; kept verdicts per connection %.2f\n",
           counts[TL_STEP_PLAIN], counts[TL_STEP_KEEP], counts[TL_STEP_NEW_CONN],
           (double)kept_total / (double)(rounds_per * BLOCK_CONNS));
    printf("events (round 1):");
    for (int e = 0; e < TL_EV_COUNT; e++)
        if (events[e])
            printf(" %d:%llu", e, events[e]);
    printf("\nclose type of connection 0: %d (THREE_WAY=%d), handshake %d (COMPLETE=%d)\n",
           (int)tl_conn_close_type(&conns[0]), (int)TL_CLOSE_THREE_WAY,
           (int)tl_conn_handshake_outcome(&conns[0]), (int)TL_HS_COMPLETE);
    printf("sizeof(tl_conn) = %zu, sizeof(tl_verdict) = %zu, sizeof(tl_segment) = %zu\n",
           sizeof(tl_conn), sizeof(tl_verdict), sizeof(tl_segment));
    printf("engine state per connection = tl_conn + kept verdicts = %.0f bytes\n",
           (double)sizeof(tl_conn) + (double)kept_total / (double)(rounds_per * BLOCK_CONNS) * (double)sizeof(tl_verdict));
    printf("best: %.1f M segments/s (%.1f ns/segment)   [%llu segments per round]\n",
           1e-6 / best, best * 1e9, total);
    (void)sink;
    free(segs);
    free(one);
    free(conns);
    tl_store_clear();
    return 0;
}
