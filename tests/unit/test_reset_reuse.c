/* test_reset_reuse.c — RSTs (refused, abort, keep-alive timeout, stale connection, during and after close) and the
 * SYNs that open a new connection on the same 4-tuple (TL_STEP_NEW_CONN)
 * (docs/semantics.md, "States" and "Close"; lifecycle.h, tl_conn_step).
 * The initiator of a reset close is not asserted: the spec defines it only as
 * the first FIN's sender. */
#include "segments.h"

/* The server answers the SYN with RST+ACK: frames 1-2. */
static void refuse(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tx_raw(s, TL_SERVER, TL_RST | TL_ACK, 0, CLIENT_ISN + 1, 0);
}

static void test_refused(script *s)
{
    refuse(s);
    const tl_verdict *v = &s->v;
    assert_step(s, TL_STEP_KEEP);
    assert_event(v, TL_EV_RST);
    assert_finding(v, TL_FIND_REFUSED);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    g_assert_true(s->conn.refused);
    g_assert_cmpuint(s->conn.reset_frame, ==, 2);
    assert_reset_kind(s, TL_RESET_REFUSED);
    assert_close_type(s, TL_CLOSE_RESET);
    g_assert_false(s->conn.complete);
}

static void test_abort(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    const tl_verdict *v = tx(s, TL_CLIENT, TL_RST | TL_ACK, 0);
    assert_event(v, TL_EV_RST);
    assert_finding(v, TL_FIND_ABORT);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    g_assert_false(s->conn.refused);
    g_assert_cmpuint(s->conn.reset_frame, ==, v->frame);
    assert_reset_kind(s, TL_RESET_ABORT);
    assert_close_type(s, TL_CLOSE_RESET);
}

/* A keep-alive probe of `from`: an ACK one below its next sequence number,
 * len 0 (Linux, BSD) or 1 (Windows), acknowledging all the peer sent. */
static const tl_verdict *probe(script *s, tl_role from, uint32_t len)
{
    return tx_raw(s, from, TL_ACK, next_seq(s, from) - 1, next_seq(s, (tl_role)!from), len);
}

/* Keep-alive probes of who in a row, nothing else in between. */
static unsigned probes_in_a_row(const script *s, tl_role who)
{
    return s->conn.probe_sender == who ? s->conn.probe_run : 0;
}

/* The client's data is acknowledged; then idle. */
static void open_and_idle(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    tx(s, TL_SERVER, TL_ACK, 0);
}

/* Probes the peer never answers, then the prober's RST: a keep-alive
 * timeout. The probes themselves are plain ACKs. */
static void test_keepalive_timeout(script *s)
{
    open_and_idle(s);
    for (int i = 0; i < 2; i++) {
        wait_ns(s, SEC);
        const tl_verdict *p = probe(s, TL_CLIENT, 0);
        assert_step(s, TL_STEP_PLAIN);
        assert_event(p, TL_EV_ACK);
    }
    const tl_verdict *v = tx(s, TL_CLIENT, TL_RST | TL_ACK, 0);
    assert_finding(v, TL_FIND_ABORT);
    assert_finding(v, TL_FIND_KEEPALIVE_TIMEOUT);
    assert_reset_kind(s, TL_RESET_ABORT);
    g_assert_cmpuint(s->conn.reset_probes, ==, 2);
}

/* Windows probes carry one old byte, which is not data; a count saturates at 15. */
static void test_keepalive_one_byte_saturates(script *s)
{
    open_and_idle(s);
    uint32_t data_last = s->conn.data_last_frame;
    for (int i = 0; i < 20; i++)
        probe(s, TL_CLIENT, 1);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].bytes, ==, 100);
    g_assert_cmpuint(s->conn.data_last_frame, ==, data_last);
    tx(s, TL_CLIENT, TL_RST | TL_ACK, 0);
    g_assert_cmpuint(s->conn.reset_probes, ==, 15);
}

/* Only probes since the peer last sent count; data restarts the count. */
static void test_keepalive_answered(script *s)
{
    open_and_idle(s);
    probe(s, TL_CLIENT, 0);
    tx(s, TL_SERVER, TL_ACK, 0);
    probe(s, TL_CLIENT, 0);
    probe(s, TL_CLIENT, 0);
    tx(s, TL_SERVER, TL_ACK, 0);
    probe(s, TL_CLIENT, 0);
    g_assert_cmpuint(probes_in_a_row(s, TL_CLIENT), ==, 1);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 10);
    g_assert_cmpuint(probes_in_a_row(s, TL_CLIENT), ==, 0);
    tx(s, TL_CLIENT, TL_RST | TL_ACK, 0);
    g_assert_cmpuint(s->conn.reset_probes, ==, 0);
}

/* Picked up while idle: the first probe seen makes the prober's next
 * sequence number a guess one too low; the peer's ACK sets it right. */
static void test_keepalive_mid_stream(script *s)
{
    tx_raw(s, TL_CLIENT, TL_ACK, 999, 7000, 0);
    g_assert_true(s->conn.missing);
    tx_raw(s, TL_SERVER, TL_ACK, 7000, 1000, 0);
    tx_raw(s, TL_CLIENT, TL_ACK, 999, 7000, 0);
    tx_raw(s, TL_CLIENT, TL_ACK, 999, 7000, 0);
    tx_raw(s, TL_CLIENT, TL_RST | TL_ACK, 1000, 7000, 0);
    g_assert_cmpuint(s->conn.reset_probes, ==, 2);
}

/* One probe, then the prober's RST: as often an application's abort, so no
 * keep-alive timeout (a stack gives up after several). */
static void test_keepalive_single_probe(script *s)
{
    open_and_idle(s);
    probe(s, TL_CLIENT, 0);
    g_assert_cmpuint(probes_in_a_row(s, TL_CLIENT), ==, 1);
    tx(s, TL_CLIENT, TL_RST | TL_ACK, 0);
    g_assert_cmpuint(s->conn.reset_probes, ==, 0);
}

/* Behind a zero window the same shape is a zero-window probe: none counts
 * until the peer opens its window again. */
static void test_keepalive_zero_window(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    tl_segment closed = seg_make(s, TL_SERVER, TL_ACK, next_seq(s, TL_SERVER), next_seq(s, TL_CLIENT), 0);
    closed.win = 0;
    tx_seg(s, &closed);
    for (int i = 0; i < 3; i++)
        probe(s, TL_CLIENT, 0);
    g_assert_cmpuint(probes_in_a_row(s, TL_CLIENT), ==, 0);
    tx(s, TL_SERVER, TL_ACK, 0);
    probe(s, TL_CLIENT, 0);
    probe(s, TL_CLIENT, 0);
    g_assert_cmpuint(probes_in_a_row(s, TL_CLIENT), ==, 2);
}

/* A re-sent last byte the peer has not acknowledged is no probe; nor does
 * the peer's RST after probes make a keep-alive timeout. */
static void test_keepalive_lookalikes(script *s)
{
    open_and_idle(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 1);
    for (int i = 0; i < 3; i++)
        resend(s, TL_CLIENT);
    g_assert_cmpuint(probes_in_a_row(s, TL_CLIENT), ==, 0);
    tx(s, TL_SERVER, TL_ACK, 0);
    probe(s, TL_CLIENT, 0);
    probe(s, TL_CLIENT, 0);
    g_assert_cmpuint(probes_in_a_row(s, TL_CLIENT), ==, 2);
    tx(s, TL_SERVER, TL_RST | TL_ACK, 0);
    g_assert_cmpuint(s->conn.reset_probes, ==, 0);
}

/* The server answers the client's probe with a RST of these flags and seq
 * offset from the probe's ACK number; TRUE if that made a stale connection. */
static gboolean stale_after(script *s, gboolean probed, uint8_t flags, uint32_t seq_off)
{
    open_and_idle(s);
    if (probed)
        probe(s, TL_CLIENT, 0);
    else
        tx(s, TL_CLIENT, TL_PSH | TL_ACK, 10);
    const tl_verdict *v = tx_raw(s, TL_SERVER, flags, next_seq(s, TL_SERVER) + seq_off, 0, 0);
    assert_finding(v, TL_FIND_ABORT);
    assert_reset_kind(s, TL_RESET_ABORT);
    g_assert_cmpint(!!(v->findings & TL_FIND_STALE), ==, s->conn.stale);
    return s->conn.stale;
}

/* A probe answered by a bare RST whose seq is the probe's ACK number: a TCP
 * with no such connection answered (RFC 9293 3.10.7.1). */
static void test_stale(script *s)
{
    g_assert_true(stale_after(s, TRUE, TL_RST, 0));
    g_assert_cmpuint(s->conn.reset_probes, ==, 0);
}

/* A live end's abort carries the ACK flag. */
static void test_stale_not_rst_ack(script *s)
{
    g_assert_false(stale_after(s, TRUE, TL_RST | TL_ACK, 0));
}

/* After data the same bare RST is also an RFC 793 stack's abort. */
static void test_stale_not_after_data(script *s)
{
    g_assert_false(stale_after(s, FALSE, TL_RST, 0));
}

static void test_stale_not_other_seq(script *s)
{
    g_assert_false(stale_after(s, TRUE, TL_RST, 5));
}

/* The prober's own bare RST answers nothing. */
static void test_stale_not_prober(script *s)
{
    open_and_idle(s);
    probe(s, TL_CLIENT, 0);
    const tl_verdict *v = tx_raw(s, TL_CLIENT, TL_RST, next_seq(s, TL_CLIENT), 0, 0);
    assert_no_finding(v, TL_FIND_STALE);
    assert_reset_kind(s, TL_RESET_ABORT);
    g_assert_false(s->conn.stale);
}

/* A half-open server answers an unacceptable ACK the same way (RFC 9293
 * 3.10.7.3): here the probe-shaped ACK that should complete the handshake. */
static void test_stale_not_half_open(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    tx_raw(s, TL_CLIENT, TL_ACK, CLIENT_ISN, SERVER_ISN + 7, 0);
    g_assert_cmpuint(probes_in_a_row(s, TL_CLIENT), ==, 1);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_RST, SERVER_ISN + 7, 0, 0);
    assert_no_finding(v, TL_FIND_STALE);
}

/* The server closed and its orphaned FIN_WAIT_2 end timed out; the client,
 * in CLOSE_WAIT, probes and meets the kernel's bare RST: stale during close. */
static void test_stale_during_close(script *s)
{
    open_and_idle(s);
    tx(s, TL_SERVER, TL_FIN | TL_ACK, 0);
    tx(s, TL_CLIENT, TL_ACK, 0);
    wait_ns(s, 61 * SEC);
    probe(s, TL_CLIENT, 0);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_RST, next_seq(s, TL_SERVER), 0, 0);
    assert_finding(v, TL_FIND_STALE);
    assert_no_finding(v, TL_FIND_ABORT);
    assert_reset_kind(s, TL_RESET_DURING_CLOSE);
    g_assert_true(s->conn.stale);
}

/* Once the connection is over (one end CLOSED after the four-way close) an
 * end may be gone by right: no claim. */
static void test_stale_not_after_close(script *s)
{
    open_and_idle(s);
    close_four_way(s, TL_SERVER);
    probe(s, TL_CLIENT, 0);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_RST, next_seq(s, TL_SERVER), 0, 0);
    assert_no_finding(v, TL_FIND_STALE);
}

/* The realistic restart: several probes (Windows ones carry a byte) go
 * nowhere before one is answered; the server may be the prober. */
static void test_stale_variants(script *s)
{
    open_and_idle(s);
    probe(s, TL_SERVER, 1);
    probe(s, TL_SERVER, 1);
    const tl_verdict *v = tx_raw(s, TL_CLIENT, TL_RST, next_seq(s, TL_CLIENT), 0, 0);
    assert_finding(v, TL_FIND_STALE);
    g_assert_cmpuint(s->conn.reset_sender, ==, TL_CLIENT);
}

/* Picked up while idle: the probe's ACK number is all that is known. */
static void test_stale_mid_stream(script *s)
{
    tx_raw(s, TL_CLIENT, TL_ACK, 999, 7000, 0);
    tx_raw(s, TL_SERVER, TL_ACK, 7000, 1000, 0);
    tx_raw(s, TL_CLIENT, TL_ACK, 999, 7000, 0);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_RST, 7000, 0, 0);
    assert_finding(v, TL_FIND_STALE);
}

static void test_during_close(script *s)
{
    open_conn(s);
    send_fin(s, TL_CLIENT);
    tx(s, TL_SERVER, TL_ACK, 0);
    const tl_verdict *v = tx(s, TL_SERVER, TL_RST | TL_ACK, 0);
    assert_event(v, TL_EV_RST);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    assert_reset_kind(s, TL_RESET_DURING_CLOSE);
    assert_close_type(s, TL_CLOSE_RESET);
}

/* Both FINs were acknowledged: the close stays four-way and the client's. */
static void test_after_close(script *s)
{
    open_conn(s);
    close_four_way(s, TL_CLIENT);
    const tl_verdict *v = tx(s, TL_SERVER, TL_RST, 0);
    assert_event(v, TL_EV_RST);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    g_assert_cmpuint(s->conn.reset_frame, ==, v->frame);
    assert_reset_kind(s, TL_RESET_AFTER_CLOSE);
    assert_close_type(s, TL_CLOSE_FOUR_WAY);
    assert_initiator(s, TL_INITIATOR_CLIENT);
}

/* Segments still in flight after a RST change nothing and keep their plain event. */
static void test_leftovers_after_rst(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_RST | TL_ACK, 0);
    const tl_verdict *v = tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    assert_event(v, TL_EV_DATA);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    v = tx(s, TL_SERVER, TL_ACK, 0);
    assert_event(v, TL_EV_ACK);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    v = tx(s, TL_SERVER, TL_RST, 0);
    assert_event(v, TL_EV_RST);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    assert_reset_kind(s, TL_RESET_ABORT);
}

/* RSTs the receiver's TCP drops (RFC 9293 3.10.7) change nothing. */
static void assert_rst_ignored(script *s, const tl_verdict *v, uint8_t client, uint8_t server)
{
    assert_event(v, TL_EV_RST);
    assert_finding(v, TL_FIND_RST_IGNORED);
    assert_no_finding(v, TL_FIND_ABORT | TL_FIND_REFUSED | TL_FIND_RST_WENT_ON);
    assert_states(v, client, server);
    g_assert_cmpuint(s->conn.reset_frame, ==, 0);
    assert_reset_kind(s, TL_RESET_NONE);
}

/* In SYN_SENT only a RST acknowledging the SYN counts; the real SYN-ACK still completes. */
static void test_rst_ignored_syn_sent(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    assert_rst_ignored(s, tx_raw(s, TL_SERVER, TL_RST, 0, 0, 0), TL_ST_SYN_SENT, TL_ST_LISTEN);
    assert_rst_ignored(s, tx_raw(s, TL_SERVER, TL_RST | TL_ACK, 0, CLIENT_ISN + 1000, 0), TL_ST_SYN_SENT, TL_ST_LISTEN);
    assert_rst_ignored(s, tx_raw(s, TL_SERVER, TL_RST | TL_ACK, 0, CLIENT_ISN, 0), TL_ST_SYN_SENT, TL_ST_LISTEN);
    g_assert_false(s->conn.refused);
    tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    tx(s, TL_CLIENT, TL_ACK, 0);
    g_assert_true(s->conn.complete);
    assert_close_type(s, TL_CLOSE_NONE);
}

/* A RST whose ACK field acknowledges the SYN counts even without the ACK flag
 * (lwIP takes it); with the client's ISN unknown (a capture that starts at the
 * SYN-ACK, or sees one direction only) nothing is judged. */
static void test_rst_syn_sent_no_claim(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tl_segment rst = seg_make(s, TL_SERVER, TL_RST, 0, 0, 0);
    rst.ack = CLIENT_ISN + 1;       /* the raw field, as the header holds it */
    const tl_verdict *v = tx_seg(s, &rst);
    assert_no_finding(v, TL_FIND_RST_IGNORED);
    assert_finding(v, TL_FIND_REFUSED);
}

static void test_rst_syn_sent_isn_unknown(script *s)
{
    tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 1000);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_RST | TL_ACK, next_seq(s, TL_SERVER), CLIENT_ISN + 1, 0);
    assert_no_finding(v, TL_FIND_RST_IGNORED);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    g_assert_cmpuint(s->conn.reset_frame, ==, v->frame);
}

/* Behind the receiver's own ACK: no window it can have holds it; one below
 * is taken (Linux accepts a RST at the FIN's seq). */
static void test_rst_ignored_behind(script *s)
{
    open_conn(s);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 3000);
    tx(s, TL_CLIENT, TL_ACK, 0);
    uint32_t rcv_nxt = next_seq(s, TL_SERVER);
    assert_rst_ignored(s, tx_raw(s, TL_SERVER, TL_RST | TL_ACK, rcv_nxt - 2, next_seq(s, TL_CLIENT), 0),
                       TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    assert_rst_ignored(s, tx_raw(s, TL_SERVER, TL_RST, rcv_nxt - 2000, 0, 0), TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    /* Plain traffic after it stays plain. */
    const tl_verdict *v = tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    assert_step(s, TL_STEP_PLAIN);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    tx(s, TL_CLIENT, TL_ACK, 0);
    v = tx_raw(s, TL_SERVER, TL_RST, next_seq(s, TL_SERVER) - 1, 0, 0);
    assert_no_finding(v, TL_FIND_RST_IGNORED);
    assert_finding(v, TL_FIND_ABORT);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
}

/* A receiver that acknowledged more than the sender was seen to send (the
 * capture lost segments) is no bound: the RST is taken. */
static void test_rst_behind_unseen_data(script *s)
{
    open_conn(s);
    tx_raw(s, TL_CLIENT, TL_ACK, next_seq(s, TL_CLIENT), SERVER_ISN + 1 + 5000, 0);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_RST, SERVER_ISN + 1 + 100, 0, 0);
    assert_no_finding(v, TL_FIND_RST_IGNORED);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
}

/* Beyond the largest window the receiver's SYN allowed: unscaled 65,535
 * bytes past the sender's next seq; scaled (both SYNs offered it) that much
 * times 2^shift. */
static void open_scaled(script *s, int8_t client_shift, int8_t server_shift)
{
    tl_segment syn = seg_make(s, TL_CLIENT, TL_SYN, CLIENT_ISN, 0, 0);
    syn.wscale = client_shift;
    tx_seg(s, &syn);
    tl_segment synack = seg_make(s, TL_SERVER, TL_SYN | TL_ACK, SERVER_ISN, CLIENT_ISN + 1, 0);
    synack.wscale = server_shift;
    tx_seg(s, &synack);
    tx(s, TL_CLIENT, TL_ACK, 0);
}

static void test_rst_ignored_beyond(script *s)
{
    open_scaled(s, -1, 7);      /* the client offered no scaling: none applies */
    uint32_t nxt = next_seq(s, TL_SERVER);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_RST, nxt + 65536, 0, 0);
    assert_rst_ignored(s, v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    v = tx_raw(s, TL_SERVER, TL_RST, nxt + 65535, 0, 0);
    assert_no_finding(v, TL_FIND_RST_IGNORED);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
}

static void test_rst_beyond_scaled(script *s)
{
    open_scaled(s, 7, 2);       /* the client's receive window counts in 128-byte units */
    uint32_t nxt = next_seq(s, TL_SERVER);
    assert_rst_ignored(s, tx_raw(s, TL_SERVER, TL_RST, nxt + (65535u << 7) + 1, 0, 0), TL_ST_ESTABLISHED,
                       TL_ST_ESTABLISHED);
    assert_rst_ignored(s, tx_raw(s, TL_SERVER, TL_RST, nxt + (1u << 30), 0, 0), TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_RST, nxt + 1000000, 0, 0);
    assert_no_finding(v, TL_FIND_RST_IGNORED);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
}

/* Picked up mid-stream the window scale is unknown: only "behind" is judged. */
static void test_rst_beyond_mid_stream(script *s)
{
    tx_raw(s, TL_CLIENT, TL_ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0);
    tx_raw(s, TL_SERVER, TL_ACK, SERVER_ISN + 1, CLIENT_ISN + 1, 0);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_RST, SERVER_ISN + 1 + (1u << 24), 0, 0);
    assert_no_finding(v, TL_FIND_RST_IGNORED);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
}

/* A RST to an end in TIME_WAIT stays an assassination. */
static void test_rst_time_wait_not_judged(script *s)
{
    open_conn(s);
    close_four_way(s, TL_CLIENT);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_RST, SERVER_ISN - 100000, 0, 0);
    assert_no_finding(v, TL_FIND_RST_IGNORED);
    assert_finding(v, TL_FIND_TW_ASSASSINATION);
}

/* The receiver of a RST inside its window goes on sending once the RST has
 * reached it (legs 1 ms each here: after 2 ms + 1 ms slack) and more than 3 s
 * after it (a bloated queue may hold its earlier segments that long): it did
 * not take it (RFC 5961: not its exact next seq). Its kept verdicts are
 * amended; the sender, silent since, stays CLOSED. */
static void test_rst_not_taken(script *s)
{
    open_conn(s);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    tx(s, TL_CLIENT, TL_ACK, 0);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_RST | TL_ACK, next_seq(s, TL_SERVER) + 500, next_seq(s, TL_CLIENT), 0);
    uint32_t rst = v->frame;
    assert_finding(v, TL_FIND_ABORT);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    v = tx(s, TL_CLIENT, TL_ACK, 0);             /* the challenge ACK, too soon to prove anything */
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    wait_ns(s, 2 * SEC);
    v = tx(s, TL_CLIENT, TL_PSH | TL_ACK, 10);   /* could still have been queued */
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    wait_ns(s, 2 * SEC);
    v = tx(s, TL_CLIENT, TL_PSH | TL_ACK, 10);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_CLOSED);
    assert_event(v, TL_EV_DATA);
    g_assert_cmpuint(s->conn.reset_frame, ==, 0);
    assert_reset_kind(s, TL_RESET_NONE);
    const tl_verdict *k = kept_verdict(s, rst);
    assert_finding(k, TL_FIND_RST_IGNORED | TL_FIND_RST_WENT_ON);
    assert_no_finding(k, TL_FIND_ABORT | TL_FIND_RST_INJECTED);
    assert_states(k, TL_ST_ESTABLISHED, TL_ST_CLOSED);
    g_assert_null(kept_verdict(s, rst + 1));     /* plain: it reads its states from the RST's */
    /* The server's TCP is gone after all: its RST at the exact seq ends it. */
    v = tx(s, TL_SERVER, TL_RST, 0);
    assert_finding(v, TL_FIND_ABORT);
    assert_no_finding(v, TL_FIND_RST_IGNORED);
    g_assert_cmpuint(s->conn.reset_frame, ==, v->frame);
    assert_close_type(s, TL_CLOSE_RESET);
}

/* A sender answering every segment with a RST: the receiver's segment proves
 * only the RSTs that had reached it; the first later one is the reset. */
static void test_rst_storm(script *s)
{
    open_conn(s);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    uint32_t first = tx_raw(s, TL_CLIENT, TL_RST, next_seq(s, TL_CLIENT) + 10, 0, 0)->frame;
    uint32_t second = tx_raw(s, TL_CLIENT, TL_RST, next_seq(s, TL_CLIENT) + 10, 0, 0)->frame;
    wait_ns(s, 3 * SEC);
    uint32_t third = tx(s, TL_CLIENT, TL_RST, 0)->frame;
    const tl_verdict *v = tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);    /* 3.002 s after the second, 1 ms after the third */
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    g_assert_cmpuint(s->conn.reset_frame, ==, third);
    assert_reset_kind(s, TL_RESET_ABORT);
    for (uint32_t f = first; f <= second; f++) {
        const tl_verdict *k = kept_verdict(s, f);
        assert_finding(k, TL_FIND_RST_IGNORED | TL_FIND_RST_WENT_ON);
        assert_no_finding(k, TL_FIND_ABORT);
        assert_states(k, TL_ST_CLOSED, TL_ST_ESTABLISHED);
    }
    const tl_verdict *k = kept_verdict(s, third);
    assert_finding(k, TL_FIND_ABORT);
    assert_no_finding(k, TL_FIND_RST_IGNORED);
    assert_states(k, TL_ST_CLOSED, TL_ST_CLOSED);
}

/* A filter in front of the server rejects the client's RSTs with ICMP
 * errors quoting them (nmap_80 stream 9): each error shows one RST never
 * arrived, the oldest with that seq; the next one is the reset. A source
 * quench, or a quote without the RST flag (RFC 792's 8 bytes), proves nothing. */
static void test_rst_dropped(script *s)
{
    open_conn(s);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    uint32_t seq = next_seq(s, TL_CLIENT);
    uint32_t first = tx_raw(s, TL_CLIENT, TL_RST, seq, 0, 0)->frame;
    uint32_t second = tx_raw(s, TL_CLIENT, TL_RST, seq, 0, 0)->frame;
    g_assert_true(icmp_error(s, TL_CLIENT, seq, TL_RST, 4, 0));
    g_assert_true(icmp_error(s, TL_CLIENT, seq, 0, 3, 10));
    g_assert_cmpuint(s->conn.reset_frame, ==, first);
    g_assert_true(icmp_error(s, TL_CLIENT, seq, TL_RST, 3, 10));
    g_assert_cmpuint(s->conn.reset_frame, ==, second);
    const tl_verdict *k = kept_verdict(s, first);
    assert_finding(k, TL_FIND_RST_IGNORED | TL_FIND_RST_DROPPED);
    assert_no_finding(k, TL_FIND_ABORT | TL_FIND_RST_WENT_ON);
    assert_states(k, TL_ST_CLOSED, TL_ST_ESTABLISHED);
    assert_finding(kept_verdict(s, second), TL_FIND_ABORT);
    g_assert_true(icmp_error(s, TL_CLIENT, seq, TL_RST, 3, 10));
    g_assert_cmpuint(s->conn.reset_frame, ==, 0);
    assert_states(kept_verdict(s, second), TL_ST_CLOSED, TL_ST_ESTABLISHED);
    const tl_verdict *v = tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    assert_states(v, TL_ST_CLOSED, TL_ST_ESTABLISHED);
}

/* The RST's named sender goes on sending after it: its TCP did not send it
 * (injected). Its receiver took it and answers with a RST of its own. */
static void test_rst_injected(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    const tl_verdict *v = tx(s, TL_CLIENT, TL_RST | TL_ACK, 0);
    uint32_t rst = v->frame;
    wait_ns(s, 5 * MS);
    v = tx(s, TL_CLIENT, TL_PSH | TL_ACK, 10);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_CLOSED);
    const tl_verdict *k = kept_verdict(s, rst);
    assert_finding(k, TL_FIND_ABORT | TL_FIND_RST_INJECTED);
    assert_no_finding(k, TL_FIND_RST_IGNORED);
    assert_states(k, TL_ST_ESTABLISHED, TL_ST_CLOSED);
    v = tx(s, TL_SERVER, TL_RST, 0);             /* the receiver answers as a TCP without the connection */
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    g_assert_cmpuint(s->conn.reset_frame, ==, rst);
    assert_reset_kind(s, TL_RESET_ABORT);
    /* That RST closed the client for good: its later segments revive nothing. */
    v = tx(s, TL_CLIENT, TL_PSH | TL_ACK, 10);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    assert_states(kept_verdict(s, rst + 2), TL_ST_CLOSED, TL_ST_CLOSED);
}

/* Injected in the server's name inside the client's window: the server
 * goes on, and the client's ACK of that later data shows it had not taken
 * the RST either, however soon (rst-injected frames 23, 25, 26). */
static void test_rst_injected_and_ignored(script *s)
{
    open_conn(s);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    tx(s, TL_CLIENT, TL_ACK, 0);
    uint32_t rst = tx_raw(s, TL_SERVER, TL_RST | TL_ACK, next_seq(s, TL_SERVER) + 500, next_seq(s, TL_CLIENT), 0)->frame;
    const tl_verdict *v = tx(s, TL_CLIENT, TL_ACK, 0);          /* the challenge ACK */
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    v = tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    assert_states(v, TL_ST_CLOSED, TL_ST_ESTABLISHED);
    v = tx(s, TL_CLIENT, TL_ACK, 0);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    const tl_verdict *k = kept_verdict(s, rst);
    assert_finding(k, TL_FIND_RST_IGNORED | TL_FIND_RST_WENT_ON | TL_FIND_RST_INJECTED);
    assert_no_finding(k, TL_FIND_ABORT);
    assert_states(k, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    g_assert_cmpuint(s->conn.reset_frame, ==, 0);
    assert_close_type(s, TL_CLOSE_NONE);
}

/* An ICMP error quotes the server's RST (seq beyond anything it sent: in the
 * window, injected) and the client is back; the server's own data later
 * shows it never sent the RST either. */
static void test_rst_dropped_then_sender(script *s)
{
    open_conn(s);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    tx(s, TL_CLIENT, TL_ACK, 0);
    uint32_t seq = next_seq(s, TL_SERVER) + 500;
    uint32_t rst = tx_raw(s, TL_SERVER, TL_RST | TL_ACK, seq, next_seq(s, TL_CLIENT), 0)->frame;
    g_assert_true(icmp_error(s, TL_SERVER, seq, TL_RST | TL_ACK, 3, 13));
    g_assert_cmpuint(s->conn.reset_frame, ==, 0);
    g_assert_cmpuint(s->conn.icmp_frame, ==, rst + 1);
    wait_ns(s, 5 * MS);
    const tl_verdict *v = tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    assert_states(v, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
    const tl_verdict *k = kept_verdict(s, rst);
    assert_finding(k, TL_FIND_RST_IGNORED | TL_FIND_RST_DROPPED | TL_FIND_RST_INJECTED);
    assert_states(k, TL_ST_ESTABLISHED, TL_ST_ESTABLISHED);
}

/* The named sender retransmits what the receiver had acknowledged: the
 * receiver's ACK of it proves nothing (it may have left before the RST came). */
static void test_rst_injected_retransmission(script *s)
{
    open_conn(s);
    tx(s, TL_SERVER, TL_PSH | TL_ACK, 100);
    tx(s, TL_CLIENT, TL_ACK, 0);
    uint32_t old = next_seq(s, TL_SERVER) - 100;
    tx_raw(s, TL_SERVER, TL_RST | TL_ACK, next_seq(s, TL_SERVER) + 500, next_seq(s, TL_CLIENT), 0);
    wait_ns(s, 5 * MS);
    const tl_verdict *v = tx_raw(s, TL_SERVER, TL_PSH | TL_ACK, old, next_seq(s, TL_CLIENT), 100);
    assert_states(v, TL_ST_CLOSED, TL_ST_ESTABLISHED);
    v = tx(s, TL_CLIENT, TL_ACK, 0);
    assert_states(v, TL_ST_CLOSED, TL_ST_ESTABLISHED);
    g_assert_cmpuint(s->conn.reset_frame, !=, 0);
}

/* Neither end's segment too soon after the RST proves anything: the
 * sender's may have been reordered, the receiver's sent before it arrived. */
static void test_rst_taken(script *s)
{
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, 100);
    s->step = MS / 4;
    uint32_t rst = tx(s, TL_CLIENT, TL_RST | TL_ACK, 0)->frame;
    const tl_verdict *v = tx(s, TL_SERVER, TL_PSH | TL_ACK, 10);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    v = tx(s, TL_CLIENT, TL_ACK, 0);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    g_assert_cmpuint(s->conn.reset_frame, ==, rst);
    assert_no_finding(kept_verdict(s, rst), TL_FIND_RST_IGNORED | TL_FIND_RST_INJECTED);
}

/* A refusal is not undone by the client's later segments (its retries are SYNs). */
static void test_refused_not_revived(script *s)
{
    refuse(s);
    wait_ns(s, SEC);
    const tl_verdict *v = tx_raw(s, TL_CLIENT, TL_ACK, CLIENT_ISN + 1, 0, 0);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    assert_reset_kind(s, TL_RESET_REFUSED);
}

/* A new connect() after a RST: a new ISN. */
static void test_syn_after_rst(script *s)
{
    refuse(s);
    wait_ns(s, SEC);
    tx_raw(s, TL_CLIENT, TL_SYN, CLIENT_ISN + 64000, 0, 0);
    assert_step(s, TL_STEP_NEW_CONN);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].syn_copies, ==, 1);
    g_assert_cmpuint(s->conn.syn_frame, ==, 1);
}

/* Windows re-sends a refused SYN, same ISN, before connect() fails: one
 * attempt with SYN retransmissions, each refused. */
static void test_refused_retry(script *s)
{
    refuse(s);
    wait_ns(s, 500 * MS);
    const tl_verdict *v = tx(s, TL_CLIENT, TL_SYN, 0);
    g_assert_cmpint(s->result, !=, TL_STEP_NEW_CONN);
    assert_event(v, TL_EV_SYN_RETRANS);
    assert_finding(v, TL_FIND_SYN_RETRANS);
    g_assert_cmpuint(v->attempt, ==, 2);
    assert_states(v, TL_ST_SYN_SENT, TL_ST_CLOSED);
    v = tx_raw(s, TL_SERVER, TL_RST | TL_ACK, 0, CLIENT_ISN + 1, 0);
    assert_finding(v, TL_FIND_REFUSED);
    assert_states(v, TL_ST_CLOSED, TL_ST_CLOSED);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].syn_copies, ==, 2);
    g_assert_cmpuint(s->conn.reset_frame, ==, 4);     /* the RST that ended the attempt */
    assert_reset_kind(s, TL_RESET_REFUSED);
    g_assert_true(s->conn.refused);
}

/* The retry exists because a listener may be up by now: accepted, the
 * attempt completes its handshake. */
static void test_refused_retry_accepted(script *s)
{
    refuse(s);
    wait_ns(s, 500 * MS);
    tx(s, TL_CLIENT, TL_SYN, 0);
    const tl_verdict *v = tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    g_assert_cmpint(s->result, !=, TL_STEP_NEW_CONN);
    assert_event(v, TL_EV_SYNACK);
    tx(s, TL_CLIENT, TL_ACK, 0);
    g_assert_true(s->conn.complete);
    g_assert_false(s->conn.refused);
    g_assert_cmpuint(s->conn.reset_frame, ==, 0);
    g_assert_cmpint(tl_conn_handshake_outcome(&s->conn), ==, TL_HS_COMPLETE);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].syn_copies, ==, 2);
}

static void test_syn_in_time_wait_same_isn(script *s)
{
    open_conn(s);
    close_four_way(s, TL_CLIENT);
    wait_ns(s, SEC);
    tx(s, TL_CLIENT, TL_SYN, 0);
    assert_step(s, TL_STEP_NEW_CONN);
    g_assert_cmpuint(s->conn.syn_frame, ==, 1);
}

static void test_syn_after_both_closed_same_isn(script *s)
{
    open_conn(s);
    close_four_way(s, TL_CLIENT);
    wait_ns(s, 61 * SEC);
    tx(s, TL_CLIENT, TL_SYN, 0);
    assert_step(s, TL_STEP_NEW_CONN);
}

/* A SYN with another ISN before any answer is another connect(). */
static void test_syn_different_isn(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    wait_ns(s, SEC);
    tx_raw(s, TL_CLIENT, TL_SYN, CLIENT_ISN + 123456, 0, 0);
    assert_step(s, TL_STEP_NEW_CONN);
    g_assert_cmpuint(s->conn.end[TL_CLIENT].syn_copies, ==, 1);
    g_assert_cmphex(s->conn.end[TL_CLIENT].isn, ==, CLIENT_ISN);
}

/* The glue steps the turned-away SYN in a fresh connection that follows the old one. */
static void test_new_conn_starts_fresh(script *s)
{
    refuse(s);
    tx_raw(s, TL_CLIENT, TL_SYN, CLIENT_ISN + 64000, 0, 0);
    const tl_verdict *v = next_conn(s);
    assert_event(v, TL_EV_SYN);
    assert_states(v, TL_ST_SYN_SENT, TL_ST_LISTEN);
    g_assert_cmpuint(s->conn.syn_frame, ==, 3);
    g_assert_cmpuint(s->conn.reset_frame, ==, 0);
    g_assert_false(s->conn.refused);
}

/* Reuse inside the old incarnation's 2MSL with the same ISN (RFC 6191: unsafe). */
static void test_reuse_in_time_wait_unsafe(script *s)
{
    open_conn(s);
    close_four_way(s, TL_CLIENT);
    wait_ns(s, SEC);
    tx(s, TL_CLIENT, TL_SYN, 0);
    const tl_verdict *v = next_conn(s);
    assert_finding(v, TL_FIND_TW_REUSE);
    assert_finding(v, TL_FIND_TW_REUSE_UNSAFE);
}

/* ... and with an ISN above the old sequence space: safe. */
static void test_reuse_in_time_wait_safe(script *s)
{
    open_conn(s);
    close_four_way(s, TL_CLIENT);
    wait_ns(s, SEC);
    tx_raw(s, TL_CLIENT, TL_SYN, CLIENT_ISN + 100000, 0, 0);
    const tl_verdict *v = next_conn(s);
    assert_finding(v, TL_FIND_TW_REUSE);
    assert_no_finding(v, TL_FIND_TW_REUSE_UNSAFE);
}

/* Reuse after: the old client's 2MSL started at its final ACK (the last
 * frame of the close); the SYN follows 1 ms (the script's step) plus 1 s later. */
static void test_reuse_after(script *s)
{
    open_conn(s);
    close_four_way(s, TL_CLIENT);
    wait_ns(s, SEC);
    tx(s, TL_CLIENT, TL_SYN, 0);
    next_conn(s);
    g_assert_cmpint(tl_conn_reuse_after(&s->conn, &s->prev), ==, SEC + MS);
}

int main(int argc, char **argv)
{
    script_test_init(&argc, &argv);
    script_test_add("/reset/refused", test_refused);
    script_test_add("/reset/refused-retry", test_refused_retry);
    script_test_add("/reset/refused-retry-accepted", test_refused_retry_accepted);
    script_test_add("/reset/abort", test_abort);
    script_test_add("/reset/keepalive-timeout", test_keepalive_timeout);
    script_test_add("/reset/keepalive-one-byte-saturates", test_keepalive_one_byte_saturates);
    script_test_add("/reset/keepalive-answered", test_keepalive_answered);
    script_test_add("/reset/keepalive-lookalikes", test_keepalive_lookalikes);
    script_test_add("/reset/keepalive-mid-stream", test_keepalive_mid_stream);
    script_test_add("/reset/keepalive-single-probe", test_keepalive_single_probe);
    script_test_add("/reset/keepalive-zero-window", test_keepalive_zero_window);
    script_test_add("/reset/stale", test_stale);
    script_test_add("/reset/stale-not-rst-ack", test_stale_not_rst_ack);
    script_test_add("/reset/stale-during-close", test_stale_during_close);
    script_test_add("/reset/stale-not-after-close", test_stale_not_after_close);
    script_test_add("/reset/stale-not-after-data", test_stale_not_after_data);
    script_test_add("/reset/stale-not-other-seq", test_stale_not_other_seq);
    script_test_add("/reset/stale-not-prober", test_stale_not_prober);
    script_test_add("/reset/stale-not-half-open", test_stale_not_half_open);
    script_test_add("/reset/stale-variants", test_stale_variants);
    script_test_add("/reset/stale-mid-stream", test_stale_mid_stream);
    script_test_add("/reset/during-close", test_during_close);
    script_test_add("/reset/after-close", test_after_close);
    script_test_add("/reset/leftovers", test_leftovers_after_rst);
    script_test_add("/reset/ignored-syn-sent", test_rst_ignored_syn_sent);
    script_test_add("/reset/syn-sent-ack-field", test_rst_syn_sent_no_claim);
    script_test_add("/reset/syn-sent-isn-unknown", test_rst_syn_sent_isn_unknown);
    script_test_add("/reset/ignored-behind", test_rst_ignored_behind);
    script_test_add("/reset/behind-unseen-data", test_rst_behind_unseen_data);
    script_test_add("/reset/ignored-beyond", test_rst_ignored_beyond);
    script_test_add("/reset/beyond-scaled", test_rst_beyond_scaled);
    script_test_add("/reset/beyond-mid-stream", test_rst_beyond_mid_stream);
    script_test_add("/reset/time-wait-not-judged", test_rst_time_wait_not_judged);
    script_test_add("/reset/not-taken", test_rst_not_taken);
    script_test_add("/reset/taken", test_rst_taken);
    script_test_add("/reset/injected", test_rst_injected);
    script_test_add("/reset/injected-and-ignored", test_rst_injected_and_ignored);
    script_test_add("/reset/dropped", test_rst_dropped);
    script_test_add("/reset/dropped-then-sender", test_rst_dropped_then_sender);
    script_test_add("/reset/injected-retransmission", test_rst_injected_retransmission);
    script_test_add("/reset/storm", test_rst_storm);
    script_test_add("/reset/refused-not-revived", test_refused_not_revived);
    script_test_add("/reuse/syn-after-rst", test_syn_after_rst);
    script_test_add("/reuse/syn-in-time-wait-same-isn", test_syn_in_time_wait_same_isn);
    script_test_add("/reuse/syn-after-both-closed-same-isn", test_syn_after_both_closed_same_isn);
    script_test_add("/reuse/syn-different-isn", test_syn_different_isn);
    script_test_add("/reuse/new-conn-starts-fresh", test_new_conn_starts_fresh);
    script_test_add("/reuse/time-wait-unsafe", test_reuse_in_time_wait_unsafe);
    script_test_add("/reuse/time-wait-safe", test_reuse_in_time_wait_safe);
    script_test_add("/reuse/reuse-after", test_reuse_after);
    return g_test_run();
}
