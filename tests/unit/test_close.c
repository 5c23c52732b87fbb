/* test_close.c — closing a connection: FIN, ACK of FIN, three-way, four-way,
 * simultaneous close, half-close, TIME_WAIT expiry and the close summary
 * (docs/semantics.md, "Events", "States" and "Close"). */
#include "segments.h"

/* Handshake plus a request and a reply: frames 1-5. */
static void open_with_data(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 200);
}

/* The sequence number a FIN sent now by `who` would occupy. */
static uint32_t fin_seq_of(const script *s, tl_role who)
{
    return next_seq(s, who);
}

static void test_none(script *s)
{
    open_with_data(s);
    assert_close_type(s, TL_CLOSE_NONE);
    assert_initiator(s, TL_INITIATOR_NONE);
    g_assert_cmpuint(s->conn.fin_frame, ==, 0);
}

static void test_fin(script *s)
{
    open_with_data(s);
    const tl_verdict *v = send_fin(s, TL_CLIENT);
    assert_step(s, TL_STEP_KEEP);
    assert_event(v, TL_EV_FIN);
    assert_states(v, TL_ST_FIN_WAIT_1, TL_ST_CLOSE_WAIT);
    g_assert_cmpuint(s->conn.fin_frame, ==, v->frame);
    g_assert_cmpuint(s->conn.fin_ack_frame, ==, 0);
    assert_close_type(s, TL_CLOSE_INCOMPLETE);
    assert_initiator(s, TL_INITIATOR_CLIENT);
}

static void test_ack_of_fin(script *s)
{
    open_with_data(s);
    uint32_t fin_seq = fin_seq_of(s, TL_CLIENT);
    send_fin(s, TL_CLIENT);
    const tl_verdict *v = tx(s, TL_SERVER, TL_ACK, 0);
    assert_step(s, TL_STEP_KEEP);
    assert_event(v, TL_EV_ACK_OF_FIN);
    assert_states(v, TL_ST_FIN_WAIT_2, TL_ST_CLOSE_WAIT);
    assert_ack_ok(s, v, fin_seq + 1);
    g_assert_cmpuint(s->conn.fin_ack_frame, ==, v->frame);
    assert_close_type(s, TL_CLOSE_INCOMPLETE);
}

/* Expected = FIN seq + payload + 1 when the FIN rides on data. */
static void test_ack_of_fin_with_payload(script *s)
{
    open_with_data(s);
    uint32_t seq = next_seq(s, TL_CLIENT);
    tx(s, TL_CLIENT, TL_FIN | TL_PSH | TL_ACK, 10);
    const tl_verdict *v = tx(s, TL_SERVER, TL_ACK, 0);
    assert_event(v, TL_EV_ACK_OF_FIN);
    assert_ack_ok(s, v, seq + 10 + 1);
    assert_states(v, TL_ST_FIN_WAIT_2, TL_ST_CLOSE_WAIT);
}

static void test_four_way_second_fin(script *s)
{
    open_with_data(s);
    send_fin(s, TL_CLIENT);
    tx(s, TL_SERVER, TL_ACK, 0);
    const tl_verdict *v = send_fin(s, TL_SERVER);
    assert_event(v, TL_EV_FIN);
    assert_states(v, TL_ST_TIME_WAIT, TL_ST_LAST_ACK);
    g_assert_cmpuint(s->conn.second_fin_frame, ==, v->frame);
    g_assert_false(s->conn.merged);
    assert_close_type(s, TL_CLOSE_INCOMPLETE);
}

static void test_four_way_final_ack(script *s)
{
    open_with_data(s);
    send_fin(s, TL_CLIENT);
    tx(s, TL_SERVER, TL_ACK, 0);
    uint32_t server_fin = fin_seq_of(s, TL_SERVER);
    send_fin(s, TL_SERVER);
    const tl_verdict *v = tx(s, TL_CLIENT, TL_ACK, 0);
    assert_event(v, TL_EV_FINAL_ACK);
    assert_states(v, TL_ST_TIME_WAIT, TL_ST_CLOSED);
    assert_ack_ok(s, v, server_fin + 1);
    g_assert_cmpuint(s->conn.last_ack_frame, ==, v->frame);
    assert_close_type(s, TL_CLOSE_FOUR_WAY);
    assert_initiator(s, TL_INITIATOR_CLIENT);
}

/* The frame numbers of a four-way close each land in their own field. */
static void test_four_way_frames(script *s)
{
    open_with_data(s);
    close_four_way(s, TL_CLIENT);
    g_assert_cmpuint(s->conn.fin_frame, ==, 6);
    g_assert_cmpuint(s->conn.fin_ack_frame, ==, 7);
    g_assert_cmpuint(s->conn.second_fin_frame, ==, 8);
    g_assert_cmpuint(s->conn.last_ack_frame, ==, 9);
    g_assert_false(s->conn.simul_close);
    g_assert_false(s->conn.half_close);
}

/* duration, close_wait and fin_wait_2 are taken from these times. */
static void test_four_way_times(script *s)
{
    open_with_data(s);
    int64_t fin = send_fin(s, TL_CLIENT)->ts;
    wait_ns(s, 10 * MS);
    int64_t fin_ack = tx(s, TL_SERVER, TL_ACK, 0)->ts;
    wait_ns(s, 100 * MS);
    int64_t second_fin = send_fin(s, TL_SERVER)->ts;
    wait_ns(s, 10 * MS);
    int64_t last_ack = tx(s, TL_CLIENT, TL_ACK, 0)->ts;
    tl_close_times times;
    tl_conn_close_times(&s->conn, tl_conn_verdict_at, &times);
    g_assert_true(times.has_duration && times.has_close_wait && times.has_fin_wait_2);
    g_assert_cmpint(times.duration, ==, last_ack - fin);
    g_assert_cmpint(times.close_wait, ==, second_fin - fin);
    g_assert_cmpint(times.fin_wait_2, ==, second_fin - fin_ack);
}

/* The ACKs' times come from the caller's finder, which may index the kept
 * verdicts: with one, drawing does not walk the chain. This finder answers
 * one second late, so its answers show in the times. */
static unsigned finder_calls;

static const tl_verdict *late_finder(const tl_conn *conn, uint32_t frame)
{
    static tl_verdict late;
    finder_calls++;
    late = *tl_conn_verdict_at(conn, frame);
    late.ts += SEC;
    return &late;
}

static void test_close_times_use_finder(script *s)
{
    open_with_data(s);
    int64_t fin = send_fin(s, TL_CLIENT)->ts;
    int64_t fin_ack = tx(s, TL_SERVER, TL_ACK, 0)->ts;
    wait_ns(s, 100 * MS);
    int64_t second_fin = send_fin(s, TL_SERVER)->ts;
    int64_t last_ack = tx(s, TL_CLIENT, TL_ACK, 0)->ts;
    tl_close_times times;
    finder_calls = 0;
    tl_conn_close_times(&s->conn, late_finder, &times);
    g_assert_cmpuint(finder_calls, ==, 2);
    g_assert_cmpint(times.duration, ==, last_ack + SEC - fin);
    g_assert_cmpint(times.fin_wait_2, ==, second_fin - (fin_ack + SEC));
}

static void test_server_closes_first(script *s)
{
    open_with_data(s);
    close_four_way(s, TL_SERVER);
    assert_states(&s->v, TL_ST_CLOSED, TL_ST_TIME_WAIT);
    g_assert_cmpuint(s->conn.fin_frame, ==, 6);
    assert_close_type(s, TL_CLOSE_FOUR_WAY);
    assert_initiator(s, TL_INITIATOR_SERVER);
}

static void test_three_way_fin_ack(script *s)
{
    open_with_data(s);
    uint32_t client_fin = fin_seq_of(s, TL_CLIENT);
    send_fin(s, TL_CLIENT);
    const tl_verdict *v = send_fin(s, TL_SERVER);
    assert_event(v, TL_EV_FIN_ACK);
    assert_finding(v, TL_FIND_MERGED_FIN_ACK);
    assert_states(v, TL_ST_TIME_WAIT, TL_ST_LAST_ACK);
    assert_ack_ok(s, v, client_fin + 1);
    g_assert_true(s->conn.merged);
    g_assert_cmpuint(s->conn.second_fin_frame, ==, v->frame);
    g_assert_cmpuint(s->conn.fin_ack_frame, ==, s->conn.second_fin_frame);
}

static void test_three_way_final_ack(script *s)
{
    open_with_data(s);
    close_three_way(s, TL_CLIENT);
    const tl_verdict *v = &s->v;
    assert_event(v, TL_EV_FINAL_ACK);
    assert_states(v, TL_ST_TIME_WAIT, TL_ST_CLOSED);
    g_assert_cmpuint(s->conn.last_ack_frame, ==, v->frame);
    assert_close_type(s, TL_CLOSE_THREE_WAY);
    assert_initiator(s, TL_INITIATOR_CLIENT);
}

static void test_fin_retransmission(script *s)
{
    open_with_data(s);
    const tl_verdict *v = send_fin(s, TL_CLIENT);
    int64_t first_ts = v->ts;
    uint32_t fin_frame = v->frame;
    wait_ns(s, 200 * MS);
    v = resend(s, TL_CLIENT);
    assert_step(s, TL_STEP_KEEP);
    assert_event(v, TL_EV_FIN_RETRANS);
    assert_finding(v, TL_FIND_FIN_RETRANS);
    g_assert_cmpuint(v->attempt, ==, 2);
    assert_backoff(s, v, v->ts - first_ts);
    assert_states(v, TL_ST_FIN_WAIT_1, TL_ST_CLOSE_WAIT);
    g_assert_cmpuint(s->conn.fin_frame, ==, fin_frame);
}

/* Backoff is measured from the previous copy of the FIN, not from the first. */
static void test_fin_retransmission_backoff(script *s)
{
    open_with_data(s);
    send_fin(s, TL_CLIENT);
    wait_ns(s, 200 * MS);
    int64_t second_ts = resend(s, TL_CLIENT)->ts;
    wait_ns(s, 400 * MS);
    const tl_verdict *v = resend(s, TL_CLIENT);
    g_assert_cmpuint(v->attempt, ==, 3);
    assert_backoff(s, v, v->ts - second_ts);
}

static void test_simultaneous_close(script *s)
{
    open_with_data(s);
    close_crossing(s);
    const tl_verdict *v = &s->v;
    assert_event(v, TL_EV_FIN);
    assert_finding(v, TL_FIND_SIMUL_CLOSE);
    assert_states(v, TL_ST_CLOSING, TL_ST_CLOSING);
    g_assert_true(s->conn.simul_close);
    g_assert_false(s->conn.merged);
    g_assert_cmpuint(s->conn.second_fin_frame, ==, v->frame);
    assert_initiator(s, TL_INITIATOR_BOTH);
}

/* The server's data and FIN after a loss: the client's FIN acknowledges only
 * up to the hole. Sent right away, it may have crossed the FIN; sent well
 * after the FIN arrived (more than two handshake legs plus slack), the FIN
 * waited behind the hole. Either way the states are a simultaneous close. */
static void fin_behind_hole(script *s, int64_t wait)
{
    open_with_data(s);
    uint32_t hole = next_seq(s, TL_SERVER);
    tx_raw(s, TL_SERVER, TL_PSH | TL_FIN | TL_ACK, hole + 100, next_seq(s, TL_CLIENT), 50);
    wait_ns(s, wait);
    tx_ack(s, TL_CLIENT, TL_FIN | TL_ACK, hole, 0);
    assert_finding(&s->v, TL_FIND_SIMUL_CLOSE);
    assert_states(&s->v, TL_ST_CLOSING, TL_ST_CLOSING);
}

static void test_simultaneous_close_fin_behind_gap(script *s)
{
    fin_behind_hole(s, 5 * MS);     /* legs of 1 ms: the FIN was in 3 ms ago */
    g_assert_true(s->conn.fin_behind_gap);
    /* decided when the FIN is stepped: a later re-sent first FIN changes nothing */
    resend(s, TL_SERVER);
    g_assert_true(s->conn.fin_behind_gap);
}

static void test_simultaneous_close_fin_in_flight(script *s)
{
    fin_behind_hole(s, 0);
    g_assert_false(s->conn.fin_behind_gap);
}

/* Without a hole a late FIN is a crossing still (the first may have been lost past the capture). */
static void test_simultaneous_close_late_without_hole(script *s)
{
    open_with_data(s);
    send_fin(s, TL_CLIENT);
    wait_ns(s, 5 * MS);
    send_crossing_fin(s, TL_SERVER);
    assert_finding(&s->v, TL_FIND_SIMUL_CLOSE);
    g_assert_false(s->conn.fin_behind_gap);
}

/* Two-pass output: once the FINs are known to have crossed, the kept
 * verdicts between them show the second closer ESTABLISHED, not CLOSE_WAIT. */
static void test_simultaneous_close_amends_kept(script *s)
{
    open_with_data(s);
    uint32_t fin_frame = send_fin(s, TL_CLIENT)->frame;
    uint32_t retrans_frame = resend(s, TL_CLIENT)->frame;
    send_crossing_fin(s, TL_SERVER);
    g_assert_true(s->conn.simul_close);

    const tl_verdict *k = kept_verdict(s, fin_frame);
    g_assert_nonnull(k);
    if (k)
        assert_states(k, TL_ST_FIN_WAIT_1, TL_ST_ESTABLISHED);
    k = kept_verdict(s, retrans_frame);
    g_assert_nonnull(k);
    if (k)
        assert_states(k, TL_ST_FIN_WAIT_1, TL_ST_ESTABLISHED);
    /* Plain packets between take their states from the same chain. */
    k = tl_conn_verdict_at(&s->conn, fin_frame);
    g_assert_nonnull(k);
    if (k)
        assert_states(k, TL_ST_FIN_WAIT_1, TL_ST_ESTABLISHED);
}

/* Each end reaches TIME_WAIT when its own FIN is acknowledged. */
static void test_simultaneous_close_first_ack(script *s)
{
    open_with_data(s);
    close_crossing(s);
    const tl_verdict *v = tx(s, TL_CLIENT, TL_ACK, 0);
    assert_event(v, TL_EV_ACK_OF_FIN);
    assert_states(v, TL_ST_CLOSING, TL_ST_TIME_WAIT);
    g_assert_cmpuint(s->conn.fin_ack_frame, ==, 0);
    g_assert_cmpuint(s->conn.last_ack_frame, ==, 0);
    assert_close_type(s, TL_CLOSE_INCOMPLETE);
}

static void test_simultaneous_close_second_ack(script *s)
{
    open_with_data(s);
    uint32_t client_fin = fin_seq_of(s, TL_CLIENT);
    close_crossing(s);
    tx(s, TL_CLIENT, TL_ACK, 0);
    const tl_verdict *v = tx(s, TL_SERVER, TL_ACK, 0);
    assert_event(v, TL_EV_FINAL_ACK);
    assert_states(v, TL_ST_TIME_WAIT, TL_ST_TIME_WAIT);
    assert_ack_ok(s, v, client_fin + 1);
    g_assert_cmpuint(s->conn.fin_ack_frame, ==, v->frame);
    /* the later of the two FIN acknowledgements */
    g_assert_cmpuint(s->conn.last_ack_frame, ==, v->frame);
    assert_close_type(s, TL_CLOSE_SIMULTANEOUS);
    assert_initiator(s, TL_INITIATOR_BOTH);
}

/* The client closed; the server acknowledged the FIN and goes on sending. */
static void half_close_prefix(script *s)
{
    open_with_data(s);
    send_fin(s, TL_CLIENT);
    tx(s, TL_SERVER, TL_ACK, 0);
}

static void test_half_close(script *s)
{
    half_close_prefix(s);
    const tl_verdict *v = tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    assert_event(v, TL_EV_DATA_AFTER_FIN);
    assert_finding(v, TL_FIND_HALF_CLOSE);
    assert_states(v, TL_ST_FIN_WAIT_2, TL_ST_CLOSE_WAIT);
    g_assert_true(s->conn.half_close);
    g_assert_cmpuint(s->conn.half_close_bytes, ==, 100);
}

/* The first acknowledgement of the FIN may itself carry the data. */
static void test_half_close_data_acks_fin(script *s)
{
    open_with_data(s);
    send_fin(s, TL_CLIENT);
    const tl_verdict *v = tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    g_assert_cmpuint(s->conn.fin_ack_frame, ==, v->frame);
    g_assert_true(s->conn.half_close);
    g_assert_cmpuint(s->conn.half_close_bytes, ==, 100);
    assert_states(v, TL_ST_FIN_WAIT_2, TL_ST_CLOSE_WAIT);
}

static void test_half_close_bytes(script *s)
{
    half_close_prefix(s);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    tx(s, TL_CLIENT, TL_ACK, 0);
    const tl_verdict *v = tx(s, TL_SERVER, TL_PSH | TL_ACK, 50);
    assert_event(v, TL_EV_DATA_AFTER_FIN);
    g_assert_cmpuint(s->conn.half_close_bytes, ==, 150);
    g_assert_cmpuint(s->conn.end[TL_SERVER].bytes, ==, 200 + 150);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].bytes, ==, 100);
}

/* A half-closed connection still ends with a four-way close. */
static void test_half_close_then_four_way(script *s)
{
    half_close_prefix(s);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    tx(s, TL_CLIENT, TL_ACK, 0);
    send_fin(s, TL_SERVER);
    tx(s, TL_CLIENT, TL_ACK, 0);
    assert_event(&s->v, TL_EV_FINAL_ACK);
    assert_close_type(s, TL_CLOSE_FOUR_WAY);
    g_assert_true(s->conn.half_close);
}

static void test_wrap_ack_of_fin(script *s)
{
    open_conn_near_wrap(s);
    g_assert_cmphex(fin_seq_of(s, TL_CLIENT), ==, 0xffffffffu);
    send_fin(s, TL_CLIENT);
    const tl_verdict *v = tx(s, TL_SERVER, TL_ACK, 0);
    g_assert_cmphex(v->ack_got, ==, 0);
    assert_event(v, TL_EV_ACK_OF_FIN);
    assert_ack_ok(s, v, 0);
    assert_states(v, TL_ST_FIN_WAIT_2, TL_ST_CLOSE_WAIT);
}

static void test_wrap_four_way(script *s)
{
    open_conn_near_wrap(s);
    g_assert_cmphex(fin_seq_of(s, TL_SERVER), ==, 0xffffffffu);
    close_four_way(s, TL_CLIENT);
    const tl_verdict *v = &s->v;
    assert_event(v, TL_EV_FINAL_ACK);
    assert_ack_ok(s, v, 0);
    assert_states(v, TL_ST_TIME_WAIT, TL_ST_CLOSED);
    assert_close_type(s, TL_CLOSE_FOUR_WAY);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].bytes, ==, WRAP_CLIENT_DATA);
}

static void test_wrap_three_way(script *s)
{
    open_conn_near_wrap(s);
    send_fin(s, TL_CLIENT);
    const tl_verdict *v = send_fin(s, TL_SERVER);
    assert_event(v, TL_EV_FIN_ACK);
    assert_ack_ok(s, v, 0);
    tx(s, TL_CLIENT, TL_ACK, 0);
    assert_close_type(s, TL_CLOSE_THREE_WAY);
}

/* 2MSL is 60 s by default: still TIME_WAIT at 30 s, CLOSED after 61 s. */
static void test_time_wait_holds(script *s)
{
    open_with_data(s);
    close_four_way(s, TL_CLIENT);
    wait_ns(s, 30 * SEC);
    const tl_verdict *v = tx(s, TL_SERVER, TL_ACK, 0);
    g_assert_cmpstr(state_name(v->state[TL_CLIENT]), ==, "TIME_WAIT");
}

static void test_time_wait_expires(script *s)
{
    open_with_data(s);
    close_four_way(s, TL_CLIENT);
    wait_ns(s, 61 * SEC);
    const tl_verdict *v = tx(s, TL_SERVER, TL_ACK, 0);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
}

/* The setting, not a constant: with a 2MSL of 20 s (tl_set_time_wait) the
 * same 30 s already closed the client; restored for the other tests. */
static void test_time_wait_setting(script *s)
{
    tl_set_time_wait(20 * SEC);
    open_with_data(s);
    close_four_way(s, TL_CLIENT);
    wait_ns(s, 30 * SEC);
    const tl_verdict *v = tx(s, TL_SERVER, TL_ACK, 0);
    tl_set_time_wait(60 * SEC);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
}

/* Four-way close by the client, then the server re-sends its FIN 200 ms
 * later because the final ACK was lost. Returns the final ACK's frame. */
static uint32_t lose_final_ack(script *s)
{
    open_with_data(s);
    close_four_way(s, TL_CLIENT);
    uint32_t final_ack = s->frame;
    wait_ns(s, 200 * MS);
    resend(s, TL_SERVER);
    return final_ack;
}

static void test_time_wait_fin_retransmission(script *s)
{
    uint32_t final_ack = lose_final_ack(s);
    const tl_verdict *v = &s->v;
    assert_event(v, TL_EV_FIN_RETRANS);
    assert_finding(v, TL_FIND_TW_FIN_RETRANS);
    assert_states(v, TL_ST_TIME_WAIT, TL_ST_LAST_ACK);
    /* Two-pass output: the server never left LAST_ACK. */
    const tl_verdict *k = kept_verdict(s, final_ack);
    g_assert_nonnull(k);
    if (k)
        assert_states(k, TL_ST_TIME_WAIT, TL_ST_LAST_ACK);
}

static void test_time_wait_reack(script *s)
{
    lose_final_ack(s);
    const tl_verdict *v = tx(s, TL_CLIENT, TL_ACK, 0);
    assert_event(v, TL_EV_ACK);
    assert_finding(v, TL_FIND_TW_REACK);
    assert_states(v, TL_ST_TIME_WAIT, TL_ST_CLOSED);
}

/* The re-ACK restarts 2MSL: 59 s after it is more than 60 s after the first final ACK. */
static void test_time_wait_reack_restarts_clock(script *s)
{
    lose_final_ack(s);
    tx(s, TL_CLIENT, TL_ACK, 0);
    wait_ns(s, 59 * SEC);
    const tl_verdict *v = tx(s, TL_SERVER, TL_ACK, 0);
    g_assert_cmpstr(state_name(v->state[TL_CLIENT]), ==, "TIME_WAIT");
}

int main(int argc, char **argv)
{
    script_test_init(&argc, &argv);
    script_test_add("/close/none", test_none);
    script_test_add("/close/fin", test_fin);
    script_test_add("/close/ack-of-fin", test_ack_of_fin);
    script_test_add("/close/ack-of-fin-with-payload", test_ack_of_fin_with_payload);
    script_test_add("/close/four-way/second-fin", test_four_way_second_fin);
    script_test_add("/close/four-way/final-ack", test_four_way_final_ack);
    script_test_add("/close/four-way/frames", test_four_way_frames);
    script_test_add("/close/four-way/times", test_four_way_times);
    script_test_add("/close/four-way/times-use-finder", test_close_times_use_finder);
    script_test_add("/close/four-way/server-first", test_server_closes_first);
    script_test_add("/close/three-way/fin-ack", test_three_way_fin_ack);
    script_test_add("/close/three-way/final-ack", test_three_way_final_ack);
    script_test_add("/close/fin-retransmission", test_fin_retransmission);
    script_test_add("/close/fin-retransmission-backoff", test_fin_retransmission_backoff);
    script_test_add("/close/simultaneous/second-fin", test_simultaneous_close);
    script_test_add("/close/simultaneous/amends-kept", test_simultaneous_close_amends_kept);
    script_test_add("/close/simultaneous/fin-behind-gap", test_simultaneous_close_fin_behind_gap);
    script_test_add("/close/simultaneous/fin-in-flight", test_simultaneous_close_fin_in_flight);
    script_test_add("/close/simultaneous/late-without-hole", test_simultaneous_close_late_without_hole);
    script_test_add("/close/simultaneous/first-ack", test_simultaneous_close_first_ack);
    script_test_add("/close/simultaneous/second-ack", test_simultaneous_close_second_ack);
    script_test_add("/close/half-close/data", test_half_close);
    script_test_add("/close/half-close/data-acks-fin", test_half_close_data_acks_fin);
    script_test_add("/close/half-close/bytes", test_half_close_bytes);
    script_test_add("/close/half-close/four-way", test_half_close_then_four_way);
    script_test_add("/close/wrap/ack-of-fin", test_wrap_ack_of_fin);
    script_test_add("/close/wrap/four-way", test_wrap_four_way);
    script_test_add("/close/wrap/three-way", test_wrap_three_way);
    script_test_add("/close/time-wait/holds", test_time_wait_holds);
    script_test_add("/close/time-wait/expires", test_time_wait_expires);
    script_test_add("/close/time-wait/setting", test_time_wait_setting);
    script_test_add("/close/time-wait/fin-retransmission", test_time_wait_fin_retransmission);
    script_test_add("/close/time-wait/reack", test_time_wait_reack);
    script_test_add("/close/time-wait/reack-restarts-clock", test_time_wait_reack_restarts_clock);
    return g_test_run();
}
