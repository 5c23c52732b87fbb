/* test_data.c — plain packets, bytes per end and the kept-verdict chain the
 * glue builds with tl_conn_keep and reads back with tl_conn_verdict_at
 * (lifecycle.h; docs/semantics.md, "Events"). */
#include "segments.h"

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

/* tl_conn_keep links newest first. */
static void test_keep_chain(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    uint32_t expected = 3;
    for (const tl_verdict *k = s->conn.last; k; k = k->prev)
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
    script_test_add("/data/bytes-across-wrap", test_bytes_across_wrap);
    script_test_add("/data/verdict-at", test_verdict_at);
    script_test_add("/data/keep-chain", test_keep_chain);
    script_test_add("/data/gap-summary", test_gap_summary);
    script_test_add("/data/gap-counts-new-bytes", test_gap_counts_new_bytes);
    return g_test_run();
}
