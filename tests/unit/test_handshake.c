/* test_handshake.c — opening a connection: SYN, SYN-ACK, handshake ACK and
 * their retransmissions, wrong ACK numbers, roles without a handshake
 * (docs/semantics.md, "Events", "States" and "Handshake"). */
#include "segments.h"

static void test_initial_states(script *s)
{
    g_assert_cmpstr(state_name(s->conn.end[TL_CLIENT].state), ==, "CLOSED");
    g_assert_cmpstr(state_name(s->conn.end[TL_SERVER].state), ==, "LISTEN");
}

static void test_syn(script *s)
{
    const tl_verdict *v = tx(s, TL_CLIENT, TL_SYN, 0);
    assert_step(s, TL_STEP_KEEP);
    assert_event(v, TL_EV_SYN);
    g_assert_cmpint(v->sender, ==, TL_CLIENT);
    assert_states(v, TL_ST_SYN_SENT, TL_ST_LISTEN);
    g_assert_cmpuint(s->conn.syn_frame, ==, 1);
    g_assert_false(s->conn.complete);
    g_assert_false(s->conn.missing);
    g_assert_false(s->conn.role_guessed);
}

static void test_synack(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    const tl_verdict *v = tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    assert_step(s, TL_STEP_KEEP);
    assert_event(v, TL_EV_SYNACK);
    g_assert_cmpint(v->sender, ==, TL_SERVER);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_SYN_RECEIVED);
    assert_ack_ok(s, v, CLIENT_ISN + 1);
    g_assert_cmpuint(s->conn.synack_frame, ==, 2);
    g_assert_false(s->conn.complete);
}

static void test_handshake_ack(script *s)
{
    open_conn(s);
    const tl_verdict *v = &s->v;
    assert_step(s, TL_STEP_KEEP);
    assert_event(v, TL_EV_HANDSHAKE_ACK);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    assert_ack_ok(s, v, SERVER_ISN + 1);
    g_assert_cmpuint(s->conn.hs_ack_frame, ==, 3);
    g_assert_true(s->conn.complete);
    g_assert_false(s->conn.simul_open);
}

/* The handshake ACK may carry the first request. */
static void test_handshake_ack_with_data(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    const tl_verdict *v = tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    assert_event(v, TL_EV_HANDSHAKE_ACK);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    g_assert_cmpuint(s->conn.hs_ack_frame, ==, 3);
    g_assert_true(s->conn.complete);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].bytes, ==, 100);
}

static void test_syn_retransmission(script *s)
{
    const tl_verdict *v = tx(s, TL_CLIENT, TL_SYN, 0);
    int64_t first_ts = v->ts;
    wait_ns(s, SEC);
    v = resend(s, TL_CLIENT);
    assert_step(s, TL_STEP_KEEP);
    assert_event(v, TL_EV_SYN_RETRANS);
    assert_finding(v, TL_FIND_SYN_RETRANS);
    g_assert_cmpuint(v->attempt, ==, 2);
    assert_backoff(s, v, v->ts - first_ts);
    assert_states(v, TL_ST_SYN_SENT, TL_ST_LISTEN);
    g_assert_cmpuint(s->conn.syn_frame, ==, 1);
}

/* Backoff is measured from the previous copy, not from the first. */
static void test_syn_retransmission_backoff(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    wait_ns(s, SEC);
    int64_t second_ts = resend(s, TL_CLIENT)->ts;
    wait_ns(s, 2 * SEC);
    const tl_verdict *v = resend(s, TL_CLIENT);
    g_assert_cmpuint(v->attempt, ==, 3);
    assert_backoff(s, v, v->ts - second_ts);
    /* syn_retransmissions = copies after the first */
    g_assert_cmpuint(s->conn.end[TL_CLIENT].syn_copies - 1u, ==, 2);
}

static void test_synack_retransmission(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    int64_t first_ts = tx(s, TL_SERVER, TL_SYN | TL_ACK, 0)->ts;
    wait_ns(s, SEC);
    const tl_verdict *v = resend(s, TL_SERVER);
    assert_step(s, TL_STEP_KEEP);
    assert_event(v, TL_EV_SYNACK_RETRANS);
    g_assert_cmpuint(v->attempt, ==, 2);
    assert_backoff(s, v, v->ts - first_ts);
    assert_ack_ok(s, v, CLIENT_ISN + 1);
    g_assert_cmpuint(s->conn.synack_frame, ==, 2);
}

/* A SYN-ACK whose ACK is not client ISN + 1 does not establish the client. */
static void test_synack_wrong_ack(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    const tl_verdict *v = tx_ack(s, TL_SERVER, TL_SYN | TL_ACK, CLIENT_ISN + 5, 0);
    assert_ack_wrong(s, v, CLIENT_ISN + 1);
    g_assert_cmpstr(state_name(v->state[TL_CLIENT]), !=, "ESTABLISHED");
}

static void test_synack_wrong_ack_corrected(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tx_ack(s, TL_SERVER, TL_SYN | TL_ACK, CLIENT_ISN + 5, 0);
    const tl_verdict *v = tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    assert_ack_ok(s, v, CLIENT_ISN + 1);
    g_assert_true(v->ack_corrects);
    g_assert_cmpuint(tl_verdict_ack_link(v), ==, 2);
    const tl_verdict *wrong = kept_verdict(s, 2);
    g_assert_nonnull(wrong);
    if (wrong)
        g_assert_cmpuint(tl_verdict_ack_link(wrong), ==, 3);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_SYN_RECEIVED);
}

/* "complete" asks for a SYN-ACK with the right ACK, not that the first one had it. */
static void test_complete_after_corrected_synack(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tx_ack(s, TL_SERVER, TL_SYN | TL_ACK, CLIENT_ISN + 5, 0);
    tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    tx(s, TL_CLIENT, TL_ACK, 0);
    g_assert_cmpuint(s->conn.hs_ack_frame, ==, 4);
    g_assert_true(s->conn.complete);
}

static void test_handshake_ack_wrong(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    const tl_verdict *v = tx_ack(s, TL_CLIENT, TL_ACK, SERVER_ISN + 7, 0);
    assert_event(v, TL_EV_HANDSHAKE_ACK);
    assert_ack_wrong(s, v, SERVER_ISN + 1);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_SYN_RECEIVED);
    g_assert_cmpuint(s->conn.hs_ack_frame, ==, 0);
    g_assert_false(s->conn.complete);
}

static void test_handshake_ack_corrected(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    tx_ack(s, TL_CLIENT, TL_ACK, SERVER_ISN + 7, 0);
    const tl_verdict *v = tx(s, TL_CLIENT, TL_ACK, 0);
    assert_ack_ok(s, v, SERVER_ISN + 1);
    g_assert_true(v->ack_corrects);
    g_assert_cmpuint(tl_verdict_ack_link(v), ==, 3);
    const tl_verdict *wrong = kept_verdict(s, 3);
    g_assert_nonnull(wrong);
    if (wrong)
        g_assert_cmpuint(tl_verdict_ack_link(wrong), ==, 4);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    g_assert_cmpuint(s->conn.hs_ack_frame, ==, 4);
    g_assert_true(s->conn.complete);
}

/* The server's own bare SYN while the client waits in SYN_SENT: it had
 * connected, not listened, so the kept SYNs before it are amended. */
static void test_simultaneous_open(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    resend(s, TL_CLIENT);
    const tl_verdict *v = tx(s, TL_SERVER, TL_SYN, 0);
    for (uint32_t f = 1; f <= 2; f++)
        assert_states(kept_verdict(s, f), TL_ST_SYN_SENT, TL_ST_SYN_SENT);
    assert_step(s, TL_STEP_KEEP);
    assert_event(v, TL_EV_SYN);
    g_assert_cmpint(v->sender, ==, TL_SERVER);
    assert_finding(v, TL_FIND_SIMUL_OPEN);
    g_assert_true(s->conn.simul_open);
    g_assert_cmpuint(s->conn.syn_frame, ==, 1);
    assert_states(v, TL_ST_SYN_RECEIVED, TL_ST_SYN_RECEIVED);
}

/* A flood of one SYN: the copy number saturates instead of wrapping. */
static void test_syn_copies_saturate(script *s)
{
    const tl_verdict *v = tx(s, TL_CLIENT, TL_SYN, 0);
    for (int i = 0; i < TL_ATTEMPT_MAX + 10; i++)
        v = resend(s, TL_CLIENT);
    g_assert_cmpuint(v->attempt, ==, TL_ATTEMPT_MAX);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].syn_copies, ==, TL_ATTEMPT_MAX + 11);
}

/* Picked up mid-stream, first packet from the server: the higher port is the client. */
static void test_missing_handshake(script *s)
{
    const tl_verdict *v = tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    assert_finding(v, TL_FIND_NO_HANDSHAKE);
    g_assert_cmpint(v->sender, ==, TL_SERVER);
    g_assert_true(s->conn.missing);
    g_assert_true(s->conn.role_guessed);
    g_assert_cmpuint(s->conn.syn_frame, ==, 0);
    g_assert_cmpuint(s->conn.synack_frame, ==, 0);
    g_assert_false(s->conn.complete);
}

/* Equal ports: the sender of the first packet is the client. */
static void test_role_port_tie(script *s)
{
    tl_segment seg = seg_make(s, TL_CLIENT, TL_PSH | TL_ACK, CLIENT_ISN, SERVER_ISN, 10);
    seg.sport = seg.dport = 5000;
    const tl_verdict *v = tx_seg(s, &seg);
    g_assert_cmpint(v->sender, ==, TL_CLIENT);
    g_assert_true(s->conn.role_guessed);
}

/* With no SYN seen, the SYN-ACK's receiver is the client. */
static void test_synack_without_syn(script *s)
{
    const tl_verdict *v = tx_ack(s, TL_SERVER, TL_SYN | TL_ACK, CLIENT_ISN + 1, 0);
    assert_event(v, TL_EV_SYNACK);
    g_assert_cmpint(v->sender, ==, TL_SERVER);
    g_assert_false(s->conn.role_guessed);
    g_assert_false(s->conn.missing);
    g_assert_cmpuint(s->conn.syn_frame, ==, 0);
    g_assert_cmpuint(s->conn.synack_frame, ==, 1);
}

static void test_synack_without_syn_not_complete(script *s)
{
    tx_ack(s, TL_SERVER, TL_SYN | TL_ACK, CLIENT_ISN + 1, 0);
    tx_raw(s, TL_CLIENT, TL_ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0);
    g_assert_false(s->conn.complete);
}

/* TCP Fast Open: a SYN with data may be acknowledged with or without its data. */
static void check_tfo_synack(script *s, uint32_t acked_data)
{
    tx(s, TL_CLIENT, TL_SYN, 10);
    const tl_verdict *v = tx_ack(s, TL_SERVER, TL_SYN | TL_ACK, CLIENT_ISN + 1 + acked_data, 0);
    g_assert_false(v->ack_wrong);
    assert_no_finding(v, TL_FIND_WRONG_ACK);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_SYN_RECEIVED);
}

static void test_tfo_synack_acks_data(script *s)
{
    check_tfo_synack(s, 10);
}

static void test_tfo_synack_acks_syn_only(script *s)
{
    check_tfo_synack(s, 0);
}

/* The server sent data right after its SYN-ACK; the handshake ACK covers it. */
static void test_handshake_ack_covers_server_data(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    const tl_verdict *v = tx(s, TL_CLIENT, TL_ACK, 0);
    g_assert_cmphex(v->ack_got, ==, SERVER_ISN + 1 + 100);
    g_assert_false(v->ack_wrong);
    assert_no_finding(v, TL_FIND_WRONG_ACK);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    g_assert_cmpuint(s->conn.hs_ack_frame, ==, v->frame);
    g_assert_true(s->conn.complete);
}

static void test_wrap_synack(script *s)
{
    script_set_isn(s, 0xffffffffu, 0xffffffffu);
    tx(s, TL_CLIENT, TL_SYN, 0);
    const tl_verdict *v = tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    g_assert_cmphex(v->ack_got, ==, 0);
    assert_ack_ok(s, v, 0);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_SYN_RECEIVED);
}

static void test_wrap_handshake_ack(script *s)
{
    script_set_isn(s, 0xffffffffu, 0xffffffffu);
    open_conn(s);
    assert_ack_ok(s, &s->v, 0);
    assert_states(&s->v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    g_assert_true(s->conn.complete);
}

/* Two timestamped SYN copies (TSval 100, 200) a second apart, then the
 * SYN-ACK echoing tsecr; tsecr 0 sends it without a timestamp. */
static void send_two_syns_and_synack(script *s, int64_t *syn_ts, uint32_t tsecr)
{
    for (int i = 0; i < 2; i++) {
        tl_segment syn = seg_make(s, TL_CLIENT, TL_SYN, CLIENT_ISN, 0, 0);
        syn.has_ts = true;
        syn.tsval = 100 * (uint32_t)(i + 1);
        syn_ts[i] = tx_seg(s, &syn)->ts;
        wait_ns(s, SEC);
    }
    tl_segment synack = seg_make(s, TL_SERVER, TL_SYN | TL_ACK, SERVER_ISN, CLIENT_ISN + 1, 0);
    synack.has_ts = tsecr != 0;
    synack.tsval = 7;
    synack.tsecr = tsecr;
    tx_seg(s, &synack);
}

static tl_handshake_times times_of(const script *s)
{
    tl_handshake_times times;
    tl_conn_handshake_times(&s->conn, tl_conn_verdict_at, &times);
    return times;
}

/* Karn: the SYN-ACK echoing the first copy's TSval answers the first copy. */
static void test_answered_syn_by_tsval(script *s)
{
    int64_t syn_ts[2];
    send_two_syns_and_synack(s, syn_ts, 100);
    tl_handshake_times times = times_of(s);
    g_assert_true(times.has_syn_leg);
    g_assert_cmpint(times.syn_to_synack, ==, s->v.ts - syn_ts[0]);
}

static void test_answered_syn_last_copy(script *s)
{
    int64_t syn_ts[2];
    send_two_syns_and_synack(s, syn_ts, 0);
    tl_handshake_times times = times_of(s);
    g_assert_true(times.has_syn_leg);
    g_assert_cmpint(times.syn_to_synack, ==, s->v.ts - syn_ts[1]);
}

/* rtt runs from the answered copy, connect time from the first SYN. */
static void test_connect_time_from_first_syn(script *s)
{
    int64_t syn_ts[2];
    send_two_syns_and_synack(s, syn_ts, 0);
    int64_t synack_ts = s->v.ts;
    wait_ns(s, 3 * MS);
    int64_t ack_ts = tx(s, TL_CLIENT, TL_ACK, 0)->ts;
    tl_handshake_times times = times_of(s);
    g_assert_true(times.has_rtt);
    g_assert_cmpint(times.synack_to_ack, ==, ack_ts - synack_ts);
    g_assert_cmpint(times.rtt, ==, ack_ts - syn_ts[1]);
    g_assert_cmpint(times.connect_time, ==, ack_ts - syn_ts[0]);
}

static void test_connect_time_first_syn_answered(script *s)
{
    int64_t syn_ts[2];
    send_two_syns_and_synack(s, syn_ts, 100);
    int64_t ack_ts = tx(s, TL_CLIENT, TL_ACK, 0)->ts;
    tl_handshake_times times = times_of(s);
    g_assert_true(times.has_rtt);
    g_assert_cmpint(times.rtt, ==, ack_ts - syn_ts[0]);
    g_assert_cmpint(times.connect_time, ==, times.rtt);
}

#define ICMP_UNREACH       3
#define ICMP_PORT_UNREACH  3
#define ICMP_FRAG_NEEDED   4

/* A SYN answered by ICMP port unreachable: recorded, no state touched, and
 * the handshake is no longer just unanswered. */
static void test_icmp_error_answers_syn(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    g_assert_true(icmp_error(s, TL_CLIENT, CLIENT_ISN, TL_SYN, ICMP_UNREACH, ICMP_PORT_UNREACH));
    g_assert_cmpuint(s->conn.icmp_frame, ==, 2);
    g_assert_cmpuint(s->conn.icmp_type, ==, ICMP_UNREACH);
    g_assert_cmpuint(s->conn.icmp_code, ==, ICMP_PORT_UNREACH);
    g_assert_false(s->conn.icmp_v6);
    g_assert_cmpstr(state_name(s->conn.end[TL_CLIENT].state), ==, state_name(TL_ST_SYN_SENT));
    g_assert_cmpstr(state_name(s->conn.end[TL_SERVER].state), ==, state_name(TL_ST_LISTEN));
    g_assert_cmpint(tl_conn_handshake_outcome(&s->conn), ==, TL_HS_ICMP_ERROR);
    /* The application's retry is a copy of the same SYN: the first error stays. */
    resend(s, TL_CLIENT);
    g_assert_true(icmp_error(s, TL_CLIENT, CLIENT_ISN, TL_SYN, ICMP_UNREACH, 1));
    g_assert_cmpuint(s->conn.icmp_frame, ==, 2);
    g_assert_cmpuint(s->conn.icmp_code, ==, ICMP_PORT_UNREACH);
}

/* An error quoting a sequence number the client never sent is not believed. */
static void test_icmp_error_unsent_seq(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    g_assert_false(icmp_error(s, TL_CLIENT, CLIENT_ISN + 5000, TL_ACK, ICMP_UNREACH, ICMP_PORT_UNREACH));
    g_assert_false(icmp_error(s, TL_CLIENT, CLIENT_ISN - 1, TL_SYN, ICMP_UNREACH, ICMP_PORT_UNREACH));
    g_assert_cmpuint(s->conn.icmp_frame, ==, 0);
    g_assert_cmpint(tl_conn_handshake_outcome(&s->conn), ==, TL_HS_UNANSWERED);
}

/* Mid-connection (path MTU discovery): recorded; the handshake stays complete. */
static void test_icmp_error_after_handshake(script *s)
{
    open_conn(s);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 1000);
    g_assert_true(icmp_error(s, TL_SERVER, SERVER_ISN + 1, TL_PSH | TL_ACK, ICMP_UNREACH, ICMP_FRAG_NEEDED));
    g_assert_cmpuint(s->conn.icmp_frame, ==, 5);
    g_assert_cmpint(tl_conn_handshake_outcome(&s->conn), ==, TL_HS_COMPLETE);
    g_assert_cmpstr(state_name(s->conn.end[TL_SERVER].state), ==, state_name(TL_ST_ESTABLISHED));
}

/* A RST or bare ACK carries the next sequence number: quoting it is quoting a sent segment. */
static void test_icmp_error_quotes_next_seq(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    g_assert_true(icmp_error(s, TL_CLIENT, next_seq(s, TL_CLIENT), TL_RST, ICMP_UNREACH, 10));
    g_assert_false(icmp_error(s, TL_CLIENT, next_seq(s, TL_CLIENT) + 1, TL_RST, ICMP_UNREACH, 10));
}

/* Sequence distances are unsigned: after more than 2 GiB the newest segment is still sent. */
static void test_icmp_error_after_2gib(script *s)
{
    open_conn(s);
    for (int i = 0; i < 3; i++)
        tx(s, TL_CLIENT, TL_PSH | TL_ACK, 1u << 30);
    g_assert_true(icmp_error(s, TL_CLIENT, next_seq(s, TL_CLIENT) - 1000, TL_PSH | TL_ACK, ICMP_UNREACH, ICMP_FRAG_NEEDED));
    g_assert_false(icmp_error(s, TL_CLIENT, next_seq(s, TL_CLIENT) + 1, TL_PSH | TL_ACK, ICMP_UNREACH, ICMP_FRAG_NEEDED));
}

/* A quote of the server's segments when the server has sent nothing: not believed. */
static void test_icmp_error_silent_end(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    g_assert_false(icmp_error(s, TL_SERVER, SERVER_ISN, TL_SYN | TL_ACK, ICMP_UNREACH, ICMP_PORT_UNREACH));
    g_assert_cmpint(tl_conn_handshake_outcome(&s->conn), ==, TL_HS_UNANSWERED);
}

/* Captured on one side of a path that splits the directions: the SYN-ACK is
 * not in the capture, but the client's ACK proves it arrived. */
static void test_unseen_synack(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    const tl_verdict *v = tx_raw(s, TL_CLIENT, TL_ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    g_assert_cmpint(tl_conn_handshake_outcome(&s->conn), ==, TL_HS_INCOMPLETE);
    tx_raw(s, TL_CLIENT, TL_PSH | TL_ACK, CLIENT_ISN + 1, SERVER_ISN + 50, 100);
    tx_raw(s, TL_SERVER, TL_PSH | TL_ACK, SERVER_ISN + 50, CLIENT_ISN + 101, 10);
    /* the server's first 49 bytes were acknowledged: sent, though not captured */
    g_assert_cmpuint(s->conn.end[TL_SERVER].bytes, ==, 59);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].bytes, ==, 100);
}

/* The SYN-ACK captured after the client's ACK (reordered capture): the
 * handshake still completes with the next client segment. */
static void test_synack_after_its_ack(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tx_raw(s, TL_CLIENT, TL_ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0);
    tx_raw(s, TL_SERVER, TL_SYN | TL_ACK, SERVER_ISN, CLIENT_ISN + 1, 0);
    const tl_verdict *v = tx_raw(s, TL_CLIENT, TL_PSH | TL_ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 10);
    assert_event(v, TL_EV_HANDSHAKE_ACK);
    g_assert_true(s->conn.complete);
    g_assert_cmpint(tl_conn_handshake_outcome(&s->conn), ==, TL_HS_COMPLETE);
}

/* Not every ACK in SYN_SENT proves a SYN-ACK: one whose seq is not the
 * client's next (garbage, a crafted probe) leaves the handshake unanswered. */
static void test_unseen_synack_needs_next_seq(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    const tl_verdict *v = tx_raw(s, TL_CLIENT, TL_ACK, CLIENT_ISN + 250000000, SERVER_ISN + 1, 0);
    assert_states(v, TL_ST_SYN_SENT, TL_ST_LISTEN);
    g_assert_cmpint(tl_conn_handshake_outcome(&s->conn), ==, TL_HS_UNANSWERED);
}

/* The server re-sends its SYN-ACK after the client's handshake ACK: it did
 * not get or did not take that ACK (TCP_DEFER_ACCEPT, a full accept queue).
 * Before the handshake ACK a re-sent SYN-ACK is a plain retransmission. */
static void test_synack_after_handshake(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    const tl_verdict *v = resend(s, TL_SERVER);
    assert_event(v, TL_EV_SYNACK_RETRANS);
    assert_no_finding(v, TL_FIND_SYNACK_AFTER_HS);
    tx(s, TL_CLIENT, TL_ACK, 0);
    wait_ns(s, SEC);
    v = resend(s, TL_SERVER);
    assert_event(v, TL_EV_SYNACK_RETRANS);
    assert_finding(v, TL_FIND_SYNACK_AFTER_HS);
    g_assert_cmpuint(v->attempt, ==, 3);
    g_assert_true(s->conn.complete);
    /* it was in SYN_RECEIVED since the handshake ACK (kept verdicts amended)
     * until the client's ACK of this copy */
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_SYN_RECEIVED);
    const tl_verdict *k = kept_verdict(s, s->conn.hs_ack_frame);
    g_assert_nonnull(k);
    if (k)
        assert_states(k, TL_ST_ESTABLISHED, TL_ST_SYN_RECEIVED);
    v = tx(s, TL_CLIENT, TL_ACK, 0);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
}

/* After the server sent data its state is proven: a stray SYN-ACK copy
 * (a network duplicate) amends nothing. */
static void test_synack_copy_after_server_data(script *s)
{
    open_conn(s);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    wait_ns(s, SEC);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_SYN | TL_ACK, SERVER_ISN, CLIENT_ISN + 1, 0);
    assert_finding(v, TL_FIND_SYNACK_AFTER_HS);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
}

/* A SYN-ACK copy that left before the handshake ACK could reach the server
 * (legs 1 ms each: within 2 ms + 1 ms slack) answers the client's re-sent
 * SYN: the server is not shown to have missed the ACK. */
static void test_synack_copy_crossing_ack(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    resend(s, TL_CLIENT);
    tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    tx(s, TL_CLIENT, TL_ACK, 0);
    const tl_verdict *v = resend(s, TL_SERVER);
    assert_event(v, TL_EV_SYNACK_RETRANS);
    assert_no_finding(v, TL_FIND_SYNACK_AFTER_HS);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    assert_states(kept_verdict(s, s->conn.hs_ack_frame), TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
}

int main(int argc, char **argv)
{
    script_test_init(&argc, &argv);
    script_test_add("/handshake/synack-after-handshake", test_synack_after_handshake);
    script_test_add("/handshake/synack-copy-after-server-data", test_synack_copy_after_server_data);
    script_test_add("/handshake/synack-copy-crossing-ack", test_synack_copy_crossing_ack);
    script_test_add("/handshake/unseen-synack", test_unseen_synack);
    script_test_add("/handshake/synack-after-its-ack", test_synack_after_its_ack);
    script_test_add("/handshake/unseen-synack-needs-next-seq", test_unseen_synack_needs_next_seq);
    script_test_add("/handshake/initial-states", test_initial_states);
    script_test_add("/handshake/syn", test_syn);
    script_test_add("/handshake/synack", test_synack);
    script_test_add("/handshake/ack", test_handshake_ack);
    script_test_add("/handshake/ack-with-data", test_handshake_ack_with_data);
    script_test_add("/handshake/syn-retransmission", test_syn_retransmission);
    script_test_add("/handshake/syn-retransmission-backoff", test_syn_retransmission_backoff);
    script_test_add("/handshake/synack-retransmission", test_synack_retransmission);
    script_test_add("/handshake/synack-wrong-ack", test_synack_wrong_ack);
    script_test_add("/handshake/synack-wrong-ack-corrected", test_synack_wrong_ack_corrected);
    script_test_add("/handshake/complete-after-corrected-synack", test_complete_after_corrected_synack);
    script_test_add("/handshake/ack-wrong", test_handshake_ack_wrong);
    script_test_add("/handshake/ack-corrected", test_handshake_ack_corrected);
    script_test_add("/handshake/simultaneous-open", test_simultaneous_open);
    script_test_add("/handshake/syn-copies-saturate", test_syn_copies_saturate);
    script_test_add("/handshake/missing", test_missing_handshake);
    script_test_add("/handshake/role-port-tie", test_role_port_tie);
    script_test_add("/handshake/synack-without-syn", test_synack_without_syn);
    script_test_add("/handshake/synack-without-syn-not-complete", test_synack_without_syn_not_complete);
    script_test_add("/handshake/tfo-synack-acks-data", test_tfo_synack_acks_data);
    script_test_add("/handshake/tfo-synack-acks-syn-only", test_tfo_synack_acks_syn_only);
    script_test_add("/handshake/ack-covers-server-data", test_handshake_ack_covers_server_data);
    script_test_add("/handshake/wrap-synack", test_wrap_synack);
    script_test_add("/handshake/wrap-ack", test_wrap_handshake_ack);
    script_test_add("/handshake/answered-syn-by-tsval", test_answered_syn_by_tsval);
    script_test_add("/handshake/answered-syn-last-copy", test_answered_syn_last_copy);
    script_test_add("/handshake/connect-time-from-first-syn", test_connect_time_from_first_syn);
    script_test_add("/handshake/connect-time-first-syn-answered", test_connect_time_first_syn_answered);
    script_test_add("/handshake/icmp-error-answers-syn", test_icmp_error_answers_syn);
    script_test_add("/handshake/icmp-error-unsent-seq", test_icmp_error_unsent_seq);
    script_test_add("/handshake/icmp-error-after-handshake", test_icmp_error_after_handshake);
    script_test_add("/handshake/icmp-error-quotes-next-seq", test_icmp_error_quotes_next_seq);
    script_test_add("/handshake/icmp-error-after-2gib", test_icmp_error_after_2gib);
    script_test_add("/handshake/icmp-error-silent-end", test_icmp_error_silent_end);
    return g_test_run();
}
