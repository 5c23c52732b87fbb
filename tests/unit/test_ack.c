/* test_ack.c — the ACK check on a FIN's acknowledgement: ACKs beyond the FIN,
 * ACKs that miss a FIN which must have arrived, ACKs still in flight, and the
 * corrected_by / corrects links (docs/semantics.md, "ACK checks"). */
#include "segments.h"

/* Handshake with 1 ms legs, then the client's FIN: returns its sequence number. */
static uint32_t open_and_client_fin(script *s)
{
    open_conn(s);
    uint32_t fin_seq = next_seq(s, TL_CLIENT);
    send_fin(s, TL_CLIENT);
    return fin_seq;
}

/* Nothing follows a FIN, so an ACK past it acknowledges what was never sent. */
static void test_beyond_fin(script *s)
{
    uint32_t fin_seq = open_and_client_fin(s);
    const tl_verdict *v = tx_ack(s, TL_SERVER, TL_ACK, fin_seq + 2, 0);
    assert_ack_wrong(s, v, fin_seq + 1);
    assert_step(s, TL_STEP_KEEP);
    assert_states(v, TL_ST_FIN_WAIT_1, TL_ST_CLOSE_WAIT);
    g_assert_cmpuint(s->conn.fin_ack_frame, ==, 0);
}

/* A pure ACK a second after the FIN, with 1 ms handshake legs, was sent after
 * the FIN arrived: acknowledging everything but the FIN is wrong. */
static void test_misses_arrived_fin(script *s)
{
    uint32_t fin_seq = open_and_client_fin(s);
    wait_ns(s, SEC);
    const tl_verdict *v = tx_ack(s, TL_SERVER, TL_ACK, fin_seq, 0);
    assert_ack_wrong(s, v, fin_seq + 1);
    g_assert_cmpuint(s->conn.fin_ack_frame, ==, 0);
}

/* The same ACK 0.2 ms after the FIN crossed it on the wire. */
static void test_in_flight_not_flagged(script *s)
{
    s->step = MS / 5;
    uint32_t fin_seq = open_and_client_fin(s);
    const tl_verdict *v = tx_ack(s, TL_SERVER, TL_ACK, fin_seq, 0);
    g_assert_false(v->ack_wrong);
    assert_no_finding(v, TL_FIND_WRONG_ACK);
}

static void test_right_ack_not_flagged(script *s)
{
    uint32_t fin_seq = open_and_client_fin(s);
    wait_ns(s, SEC);
    const tl_verdict *v = tx(s, TL_SERVER, TL_ACK, 0);
    assert_ack_ok(s, v, fin_seq + 1);
    assert_no_finding(v, TL_FIND_WRONG_ACK);
}

static void test_corrected_by(script *s)
{
    uint32_t fin_seq = open_and_client_fin(s);
    uint32_t wrong_frame = tx_ack(s, TL_SERVER, TL_ACK, fin_seq + 2, 0)->frame;
    const tl_verdict *v = tx(s, TL_SERVER, TL_ACK, 0);
    assert_ack_ok(s, v, fin_seq + 1);
    g_assert_true(v->ack_corrects);
    g_assert_cmpuint(tl_verdict_ack_link(v), ==, wrong_frame);
    const tl_verdict *wrong = kept_verdict(s, wrong_frame);
    g_assert_nonnull(wrong);
    if (wrong) {
        g_assert_cmpuint(tl_verdict_ack_link(wrong), ==, v->frame);
        g_assert_false(wrong->ack_corrects);
    }
}

/* A FIN at 0xffffffff: its ACK is 0, and 1 is already beyond it. */
static void test_wrap_beyond_fin(script *s)
{
    open_conn_near_wrap(s);
    send_fin(s, TL_CLIENT);
    const tl_verdict *v = tx_ack(s, TL_SERVER, TL_ACK, 1, 0);
    assert_ack_wrong(s, v, 0);
}

static void test_wrap_misses_arrived_fin(script *s)
{
    open_conn_near_wrap(s);
    send_fin(s, TL_CLIENT);
    wait_ns(s, SEC);
    const tl_verdict *v = tx_ack(s, TL_SERVER, TL_ACK, 0xffffffffu, 0);
    assert_ack_wrong(s, v, 0);
}

int main(int argc, char **argv)
{
    script_test_init(&argc, &argv);
    script_test_add("/ack/beyond-fin", test_beyond_fin);
    script_test_add("/ack/misses-arrived-fin", test_misses_arrived_fin);
    script_test_add("/ack/in-flight-not-flagged", test_in_flight_not_flagged);
    script_test_add("/ack/right-ack-not-flagged", test_right_ack_not_flagged);
    script_test_add("/ack/corrected-by", test_corrected_by);
    script_test_add("/ack/wrap-beyond-fin", test_wrap_beyond_fin);
    script_test_add("/ack/wrap-misses-arrived-fin", test_wrap_misses_arrived_fin);
    return g_test_run();
}
