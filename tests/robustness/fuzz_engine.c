/* fuzz_engine.c — libFuzzer harness for the lifecycle engine (plugin/engine).
 *
 * The input is a sequence of 8-byte segment records fed to tl_conn_step the way
 * the glue (packet-tcplife.c) does: kept verdicts are stored (tl_store) and
 * linked with tl_conn_keep, TL_STEP_NEW_CONN starts a fresh connection stepped with the
 * segment. The whole input is also given to tl_parse_tcp_header (every length
 * up to 80 bytes), and the parsed segment is stepped as well; and, as a frame,
 * to tl_find_tcp with the ports of every 4-byte window and every cut.
 *
 * record: b0 bit0 direction (0: end X, 1: end Y), bit1 TS option, bit2 SACK-perm and a zero window,
 *            bit3 window scale (b7 mod 15), bit4 "jump": seq/ack deltas are scaled by 2^24,
 *            bits5-7 time delta scale
 *         b1 TCP flags
 *         b2 signed seq delta from the sender's next sequence number
 *         b3 signed ack delta from the peer's next sequence number
 *         b4 b5 payload length (little endian, masked to 0..4095)
 *         b6 signed time delta (units set by b0 bits5-7; may go backwards)
 *         b7 TSval delta
 *
 * Invariants (a violation traps):
 *   - states < TL_ST_COUNT, events < TL_EV_COUNT, sender is client or server
 *   - kept verdicts: frames strictly decreasing from the newest along the chain
 *   - bytes of each end never decrease within a connection; a plain segment
 *     adds at most its length and a gap inside the largest window
 *   - fin_frame <= last_ack_frame when both are set
 *   - a verdict's ACK link names a kept frame of the same connection
 *   - a found TCP header has its ports and both addresses inside the captured bytes,
 *     and an ICMP header read before its IP header lies inside the buffer
 *   - each segment quoted back in an ICMP error changes nothing but the
 *     connection's first believed error (tl_conn_icmp_error)
 *
 * Build: clang -fsanitize=fuzzer,address,undefined (tests/robustness/CMakeLists.txt,
 * only when the C compiler is clang). Run: fuzz_engine -max_total_time=60 CORPUS_DIR
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "tcp_header.h"
#include "tcp_locate.h"

#define MAX_KEPT 4096
#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

typedef struct {
    tl_conn conn;
    unsigned n_kept;
    uint64_t bytes[2];
    int started;
    int a_is_x;      /* end X is the connection's A end */
} fconn;

static fconn fc;
static uint32_t nxt[2];     /* next sequence number of end X (0) and Y (1) */
static uint32_t tsval[2];

static int kept_frame(const fconn *f, uint32_t frame)
{
    for (const tl_verdict *k = tl_conn_newest(&f->conn); k; k = tl_verdict_prev(k))
        if (k->frame == frame)
            return 1;
    return 0;
}

static void check_verdict(const tl_verdict *v)
{
    CHECK(v->event < TL_EV_COUNT);
    CHECK(v->state[0] < TL_ST_COUNT && v->state[1] < TL_ST_COUNT);
    CHECK(v->sender <= TL_SERVER);
}

static void check_conn(const fconn *f, int final)
{
    const tl_conn *c = &f->conn;
    for (int i = 0; i < 2; i++) {
        CHECK(c->end[i].state < TL_ST_COUNT);
        /* regression: a SYN captured after data used to reset the count
           (tests/robustness/regressions/engine-bytes-rebased-by-late-syn.bin) */
        CHECK(c->end[i].bytes >= f->bytes[i]);
    }
    if (c->fin_frame && c->last_ack_frame)
        CHECK(c->fin_frame <= c->last_ack_frame);
    uint32_t prev_frame = UINT32_MAX;
    for (const tl_verdict *k = tl_conn_newest(c); k; k = tl_verdict_prev(k)) {
        check_verdict(k);
        CHECK(k->frame < prev_frame);
        prev_frame = k->frame;
        CHECK(k->conn_id == c->id);
        if (final && tl_verdict_ack_link(k))
            CHECK(kept_frame(f, tl_verdict_ack_link(k)));
    }
}

static void conn_start(fconn *f, uint32_t id, int sender_is_x)
{
    memset(f, 0, sizeof *f);
    tl_conn_init(&f->conn, id);
    f->started = 1;
    f->a_is_x = sender_is_x;
}

/* The segment quoted back in an ICMP error: nothing changes but the first
 * believed error's record, which then holds exactly this error; or, quoting
 * the RST that reset the connection, the reset moves to a later RST or goes. */
static void quote_in_icmp_error(const tl_segment *seg)
{
    tl_conn before;
    memcpy(&before, &fc.conn, sizeof before);
    uint8_t type = seg->flags, code = (uint8_t)seg->seq;
    bool v6 = seg->tsval & 1;
    bool sent = tl_conn_icmp_error(&fc.conn, seg, type, code, v6);
    if (fc.conn.reset_frame != before.reset_frame) {
        CHECK(sent && (seg->flags & TL_RST) && before.reset_frame
              && (fc.conn.reset_frame == 0 || fc.conn.reset_frame > before.reset_frame));
        return;
    }
    if (!sent || before.icmp_frame) {
        CHECK(memcmp(&before, &fc.conn, sizeof before) == 0);
        return;
    }
    CHECK(fc.conn.icmp_frame == seg->frame && fc.conn.icmp_type == type
          && fc.conn.icmp_code == code && fc.conn.icmp_v6 == v6);
    before.icmp_frame = fc.conn.icmp_frame;
    before.icmp_type = fc.conn.icmp_type;
    before.icmp_code = fc.conn.icmp_code;
    before.icmp_v6 = fc.conn.icmp_v6;
    CHECK(memcmp(&before, &fc.conn, sizeof before) == 0);
}

static void step(tl_segment *seg, int dir_x, uint32_t *conn_id)
{
    if (!fc.started)
        conn_start(&fc, (*conn_id)++, dir_x);
    tl_verdict v;
    tl_gap gap = { { 0, 0 }, { 0, 0 } };
    memset(&v, 0xa5, sizeof v);     /* the engine must fill what it hands back */
    seg->from_a = (dir_x == fc.a_is_x);
    tl_step_result r = tl_conn_step(&fc.conn, seg, &v, &gap);
    if (r == TL_STEP_NEW_CONN) {
        check_conn(&fc, 1);
        conn_start(&fc, (*conn_id)++, dir_x);
        seg->from_a = 1;
        memset(&v, 0xa5, sizeof v);
        r = tl_conn_step(&fc.conn, seg, &v, &gap);
        CHECK(r != TL_STEP_NEW_CONN);   /* a fresh connection takes its first segment */
    }
    check_verdict(&v);
    CHECK(v.frame == seg->frame);
    /* Only a plain segment with payload is counted (not a keep-alive probe's
     * old byte), by its sender, with no more new bytes than it carries plus
     * a gap before it inside the largest window (65535 << 14). */
    bool counted = r == TL_STEP_PLAIN && seg->len;
    CHECK(gap.segs[v.sender] <= (counted ? 1u : 0u) && gap.segs[!v.sender] == 0);
    CHECK(gap.bytes[v.sender] <= seg->len + (UINT64_C(65535) << 14) && gap.bytes[!v.sender] == 0);
    if (r == TL_STEP_KEEP) {
        if (fc.n_kept == MAX_KEPT) {    /* bounded memory: start over */
            check_conn(&fc, 0);
            fc.started = 0;
            tl_store_clear();
            return;
        }
        fc.n_kept++;
        tl_conn_keep(&fc.conn, tl_store(&v));
    }
    check_conn(&fc, 0);
    for (int i = 0; i < 2; i++) {
        fc.bytes[i] = fc.conn.end[i].bytes;
    }
    quote_in_icmp_error(seg);
}

/* The input as a frame: every window as the ports sought, every cut as the snap length. */
static void locate_in(const uint8_t *data, size_t size)
{
    size_t max = size < 128 ? size : 128;
    for (size_t w = 0; w + 4 <= max; w += 3) {
        uint16_t sport = (uint16_t)(data[w] << 8 | data[w + 1]);
        uint16_t dport = (uint16_t)(data[w + 2] << 8 | data[w + 3]);
        for (size_t cut = w; cut <= max; cut += 7) {
            tl_tcp_spot spot;
            if (tl_tcp_at_start(data, cut, max, sport, dport, &spot))
                CHECK(cut >= 4 && spot.tcp_off == 0 && spot.seg_end >= cut);
            if (!tl_find_tcp(data, cut, max + data[0], data[1] % 64, sport, dport, &spot))
                continue;
            CHECK(spot.tcp_off + 4 <= cut);
            CHECK(spot.addr_len == 4 || spot.addr_len == 16);
            CHECK(spot.addr_off + 2u * spot.addr_len <= spot.tcp_off);
            CHECK(data[spot.tcp_off] == data[w] && data[spot.tcp_off + 3] == data[w + 3]);
            /* the header as an ICMP error's quote: the 8 bytes before its IP header */
            size_t ip_off = spot.addr_off - (spot.addr_len == 4 ? 12 : 8);
            uint8_t type, code;
            if (tl_icmp_error_before(data, ip_off, spot.addr_len == 16, &type, &code))
                CHECK(ip_off >= 8 && type == data[ip_off - 8] && code == data[ip_off - 7]);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t conn_id = 0;
    int64_t ts = 1000000000;
    uint32_t frame = 1;

    locate_in(data, size);
    fc.started = 0;
    tl_store_clear();
    nxt[0] = 1000;
    nxt[1] = 5000000;
    tsval[0] = tsval[1] = 100;

    /* the header decoder on raw bytes, every captured length */
    size_t hmax = size < 80 ? size : 80;
    for (size_t n = 0; n <= hmax; n++) {
        tl_segment hs;
        memset(&hs, 0, sizeof hs);
        if (tl_parse_tcp_header(data, n, &hs)) {
            CHECK(n >= 20);
            CHECK(hs.wscale >= -1);
        } else {
            CHECK(n < 20);
        }
    }
    if (size >= 20) {
        tl_segment hs;
        memset(&hs, 0, sizeof hs);
        if (tl_parse_tcp_header(data, hmax, &hs)) {
            hs.ts = ts;
            hs.frame = frame++;
            hs.len = 0;
            step(&hs, 0, &conn_id);
        }
    }

    for (size_t off = 0; off + 8 <= size; off += 8) {
        const uint8_t *r = data + off;
        int dir = r[0] & 1;
        int jump = (r[0] >> 4) & 1;
        tl_segment s;
        memset(&s, 0, sizeof s);
        s.flags = r[1];
        int32_t sd = (int8_t)r[2], ad = (int8_t)r[3];
        if (jump) {
            sd *= 1 << 24;
            ad *= 1 << 24;
        }
        s.seq = nxt[dir] + (uint32_t)sd;
        s.ack = nxt[!dir] + (uint32_t)ad;
        s.len = (uint32_t)(r[4] | r[5] << 8) & 0xfff;
        int scale = (r[0] >> 5) & 7;
        ts += (int64_t)(int8_t)r[6] * ((int64_t)1 << (scale * 4));
        s.ts = ts;
        s.frame = frame++;
        s.sport = dir ? 80 : 40000;
        s.dport = dir ? 40000 : 80;
        s.has_ts = (r[0] >> 1) & 1;
        tsval[dir] += r[7];
        s.tsval = tsval[dir];
        s.tsecr = tsval[!dir];
        s.sack_perm = (r[0] >> 2) & 1;
        s.wscale = (r[0] >> 3) & 1 ? (int8_t)(r[7] % 15) : -1;  /* 0..14, as the header parser gives */
        s.mss = (s.flags & TL_SYN) ? 1460 : 0;
        s.win = (r[0] >> 2) & 1 ? 0 : 65535;    /* shares the SACK-perm bit: a zero window now and then */
        step(&s, dir, &conn_id);
        /* the sender's next sequence number follows what it sent */
        uint32_t end = s.seq + s.len + !!(s.flags & TL_SYN) + !!(s.flags & TL_FIN);
        if (tl_seq_diff(end, nxt[dir]) > 0 || (s.flags & TL_SYN))
            nxt[dir] = end;
    }
    if (fc.started)
        check_conn(&fc, 1);
    return 0;
}
