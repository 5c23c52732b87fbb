/* test_data.c — plain packets, bytes per end, the store of kept verdicts and
 * the chain the glue builds with tl_conn_keep and reads back with
 * tl_conn_verdict_at (lifecycle.h; docs/semantics.md, "Events"). */
#include "segments.h"
#include "verdict_store.h"

#include <string.h>

static void test_plain_data(script *s)
{
    open_conn(s);
    const tl_verdict *v = tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    assert_step(s, TL_STEP_PLAIN);
    assert_event(v, TL_EV_DATA);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    g_assert_cmphex(v->findings, ==, 0);
}

static void test_plain_ack(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    const tl_verdict *v = tx(s, TL_SERVER, TL_ACK, 0);
    assert_step(s, TL_STEP_PLAIN);
    assert_event(v, TL_EV_ACK);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
}

/* Bytes are the sequence space covered: a retransmission adds nothing. */
static void test_bytes_per_end(script *s)
{
    open_conn(s);
    uint32_t first = next_seq(s, TL_CLIENT);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 300);
    tx_raw(s, TL_CLIENT, TL_PSH | TL_ACK, first, next_seq(s, TL_SERVER), 100);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].bytes, ==, 200);
    g_assert_cmpuint(s->conn.end[TL_SERVER].bytes, ==, 300);
}

/* Client data `offset` bytes after its first after the handshake; returns
 * the client's byte count. */
static uint64_t client_data_at(script *s, uint32_t offset, uint32_t len)
{
    tx_raw(s, TL_CLIENT, TL_PSH | TL_ACK, s->isn[TL_CLIENT] + 1 + offset, next_seq(s, TL_SERVER), len);
    return s->conn.end[TL_CLIENT].bytes;
}

/* A segment beyond a gap covers the gap (lost before the capture point, or
 * captured out of order); the segment filling it later adds nothing. */
static void test_bytes_across_gap(script *s)
{
    open_conn(s);
    g_assert_cmpuint(client_data_at(s, 4, 4), ==, 8);
    g_assert_cmpuint(client_data_at(s, 0, 4), ==, 8);
}

/* Picked up with a keep-alive probe, whose seq is one below the end's next:
 * the data that follows counts its own bytes, not the phantom byte before.
 * Mid-stream no gap counts: the next sequence number may be such a guess. */
static void test_bytes_after_probe_pickup(script *s)
{
    tx_raw(s, TL_CLIENT, TL_ACK, 999, 7000, 0);
    tx_raw(s, TL_SERVER, TL_ACK, 7000, 1000, 0);
    tx_raw(s, TL_CLIENT, TL_PSH | TL_ACK, 1000, 7000, 10);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].bytes, ==, 10);
    tx_raw(s, TL_CLIENT, TL_PSH | TL_ACK, 1020, 7000, 10);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].bytes, ==, 20);
}

/* A seq far beyond what the receiver's window allows (corrupt or hostile)
 * counts its own bytes only. */
static void test_bytes_gap_outside_window(script *s)
{
    open_conn(s);
    g_assert_cmpuint(client_data_at(s, 100000000, 4), ==, 4);
}

/* An ACK far beyond what the client sent is no licence for a wide gap:
 * the gap itself must fit in the window too. */
static void test_bytes_gap_after_wild_ack(script *s)
{
    open_conn(s);
    tx_raw(s, TL_SERVER, TL_ACK, next_seq(s, TL_SERVER), s->isn[TL_CLIENT] + 1 + 50000000, 0);
    g_assert_cmpuint(client_data_at(s, 50000000 - 4, 4), ==, 4);
}

/* A bare FIN beyond a gap covers the gap too. */
static void test_bytes_gap_before_fin(script *s)
{
    open_conn(s);
    uint32_t first = next_seq(s, TL_CLIENT);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    tx_raw(s, TL_CLIENT, TL_FIN | TL_ACK, first + 200, next_seq(s, TL_SERVER), 0);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].bytes, ==, 200);
}

/* Data across 2^32 counts as much as anywhere else. */
static void test_bytes_across_wrap(script *s)
{
    script_set_isn(s, 0xffffffc0u, SERVER_ISN);
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 1000);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 1000);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].bytes, ==, 2000);
}

/* Plain frames take their states from the newest kept verdict at or before them. */
static void test_verdict_at(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    tx(s, TL_SERVER, TL_ACK, 0);
    g_assert_null(tl_conn_verdict_at(&s->conn, 0));
    const tl_verdict *k = tl_conn_verdict_at(&s->conn, 2);
    g_assert_nonnull(k);
    if (k)
        g_assert_cmpuint(k->frame, ==, 2);
    k = tl_conn_verdict_at(&s->conn, 5);
    g_assert_nonnull(k);
    if (k) {
        g_assert_cmpuint(k->frame, ==, 3);
        assert_states(k, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    }
}

/* Indices from 1 in the order of storing; a stored verdict never moves, even
 * as the store grows past its first chunks; cleared, nothing is left. */
static void test_store_indices(script *s G_GNUC_UNUSED)
{
    tl_verdict v;
    memset(&v, 0, sizeof v);
    v.frame = 1;
    const tl_verdict *first = tl_stored(tl_store(&v));
    for (uint32_t i = 2; i <= 5000; i++) {
        v.frame = i;
        g_assert_cmpuint(tl_store(&v), ==, i);
    }
    g_assert_true(tl_stored(1) == first);
    g_assert_cmpuint(tl_stored_count(), ==, 5000);
    for (uint32_t i = 1; i <= 5000; i += 999)
        g_assert_cmpuint(tl_stored(i)->frame, ==, i);
    g_assert_null(tl_stored(0));
    g_assert_null(tl_stored(5001));
    tl_store_clear();
    g_assert_cmpuint(tl_stored_count(), ==, 0);
    g_assert_null(tl_stored(1));
}

/* The map beside the store keeps every link with its own frame and
 * connection, however many it holds (it grows from 64 slots); a verdict
 * that is neither wrong nor a correction has none. */
static void test_store_many_ack_links(script *s G_GNUC_UNUSED)
{
    for (uint32_t f = 1; f <= 1000; f++)
        tl_store_set_ack_link(f, 7, f + 5000);
    tl_verdict v;
    memset(&v, 0, sizeof v);
    v.conn_id = 7;
    v.ack_wrong = true;
    for (uint32_t f = 1; f <= 1000; f++) {
        v.frame = f;
        g_assert_cmpuint(tl_verdict_ack_link(&v), ==, f + 5000);
    }
    v.conn_id = 8;
    g_assert_cmpuint(tl_verdict_ack_link(&v), ==, 0);
    v.conn_id = 7;
    v.ack_wrong = false;
    g_assert_cmpuint(tl_verdict_ack_link(&v), ==, 0);
}

/* tl_conn_keep links newest first. */
static void test_keep_chain(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    uint32_t expected = 3;
    for (const tl_verdict *k = tl_conn_newest(&s->conn); k; k = tl_verdict_prev(k))
        g_assert_cmpuint(k->frame, ==, expected--);
    g_assert_cmpuint(expected, ==, 0);
}

/* The plain data after a kept verdict is counted per end, up to the next one. */
static void test_gap_summary(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 50);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 30);
    const tl_gap *g = kept_gap(s, 3);
    g_assert_nonnull(g);
    if (g) {
        g_assert_cmpuint(g->segs[TL_CLIENT], ==, 2);
        g_assert_cmpuint(g->bytes[TL_CLIENT], ==, 150);
        g_assert_cmpuint(g->segs[TL_SERVER], ==, 1);
        g_assert_cmpuint(g->bytes[TL_SERVER], ==, 30);
    }
    uint32_t fin = send_fin(s, TL_CLIENT)->frame;
    tx(s, TL_SERVER, TL_ACK, 0);
    g = kept_gap(s, fin);
    g_assert_nonnull(g);
    if (g)
        g_assert_cmpuint(g->segs[TL_CLIENT] + g->segs[TL_SERVER], ==, 0);
    g = kept_gap(s, 3);
    if (g)
        g_assert_cmpuint(g->segs[TL_CLIENT] + g->segs[TL_SERVER], ==, 3);
}

/* Only new payload counts: a re-sent segment is no gap byte. */
static void test_gap_counts_new_bytes(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    resend(s, TL_CLIENT);
    const tl_gap *g = kept_gap(s, 3);
    g_assert_nonnull(g);
    if (g) {
        g_assert_cmpuint(g->segs[TL_CLIENT], ==, 2);
        g_assert_cmpuint(g->bytes[TL_CLIENT], ==, 100);
    }
}

int main(int argc, char **argv)
{
    script_test_init(&argc, &argv);
    script_test_add("/data/plain-data", test_plain_data);
    script_test_add("/data/plain-ack", test_plain_ack);
    script_test_add("/data/bytes-per-end", test_bytes_per_end);
    script_test_add("/data/bytes-across-gap", test_bytes_across_gap);
    script_test_add("/data/bytes-after-probe-pickup", test_bytes_after_probe_pickup);
    script_test_add("/data/bytes-gap-outside-window", test_bytes_gap_outside_window);
    script_test_add("/data/bytes-gap-before-fin", test_bytes_gap_before_fin);
    script_test_add("/data/bytes-gap-after-wild-ack", test_bytes_gap_after_wild_ack);
    script_test_add("/data/bytes-across-wrap", test_bytes_across_wrap);
    script_test_add("/data/verdict-at", test_verdict_at);
    script_test_add("/data/keep-chain", test_keep_chain);
    script_test_add("/data/store-indices", test_store_indices);
    script_test_add("/data/store-many-ack-links", test_store_many_ack_links);
    script_test_add("/data/gap-summary", test_gap_summary);
    script_test_add("/data/gap-counts-new-bytes", test_gap_counts_new_bytes);
    return g_test_run();
}
