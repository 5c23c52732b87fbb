/* lifecycle.c — the TCP connection lifecycle engine (see lifecycle.h). */
#include "lifecycle.h"
#include "verdict_store.h"

#include <assert.h>
#include <string.h>

/* The verdict's bit-fields must hold every value put in them. */
static_assert(TL_EV_COUNT <= 1 << 4, "tl_verdict.event has 4 bits");
/* No bit is left in that word: a further finding grows tl_verdict past 40 bytes (test_layout). */
static_assert(TL_FIND_RST_DROPPED < 1u << 24, "tl_verdict.findings has 24 bits");
static_assert(TL_ST_COUNT <= 1 << 4, "tl_conn.passive_prev_state has 4 bits");
static_assert(TL_RESET_AFTER_CLOSE < 1 << 3, "tl_conn.reset_kind has 3 bits");

#define SEQ_LT(a, b)  (tl_seq_diff((a), (b)) < 0)
#define SEQ_GT(a, b)  (tl_seq_diff((a), (b)) > 0)
#define SEQ_GEQ(a, b) (tl_seq_diff((a), (b)) >= 0)

/* Slack added to twice the measured leg before an ACK that misses a FIN
 * counts as sent after the FIN arrived (jitter; 1 ms). */
#define TL_ARRIVAL_SLACK_NS 1000000

void tl_conn_init(tl_conn *conn, uint32_t id)
{
    memset(conn, 0, sizeof *conn);
    conn->id = id;
    conn->end[TL_CLIENT].state = TL_ST_CLOSED;
    conn->end[TL_SERVER].state = TL_ST_LISTEN;
    conn->end[TL_CLIENT].wscale = -1;
    conn->end[TL_SERVER].wscale = -1;
}

static int64_t time_wait_ns = INT64_C(60000000000);

void tl_set_time_wait(int64_t ns)
{
    time_wait_ns = ns;
}

int64_t tl_time_wait(void)
{
    return time_wait_ns;
}

static bool flags_are_bad(uint8_t f)
{
    if ((f & TL_SYN) && (f & (TL_FIN | TL_RST)))
        return true;
    if ((f & TL_FIN) && (f & TL_RST))
        return true;
    /* Only SYN and RST may go without ACK; FIN/PSH/URG alone are scan probes. */
    return !(f & (TL_SYN | TL_RST | TL_ACK));
}

static tl_role sender_of(const tl_conn *conn, const tl_segment *seg)
{
    return seg->from_a == conn->a_is_client ? TL_CLIENT : TL_SERVER;
}

/* The first segment decides who is the client. */
static void start(tl_conn *conn, const tl_segment *seg)
{
    conn->started = true;
    conn->first_ts = seg->ts;
    if (seg->flags & TL_SYN) {
        conn->a_is_client = !(seg->flags & TL_ACK);
        if (seg->flags & TL_ACK)
            conn->end[TL_CLIENT].state = TL_ST_SYN_SENT;   /* its SYN was not captured */
        return;
    }
    /* Mid-stream: the end on the higher (ephemeral-looking) port is the client. */
    conn->a_is_client = seg->sport >= seg->dport;
    conn->role_guessed = true;
    conn->missing = true;
    conn->end[TL_CLIENT].state = TL_ST_ESTABLISHED;
    conn->end[TL_SERVER].state = TL_ST_ESTABLISHED;
}

static bool conn_is_over(const tl_conn *conn)
{
    for (int i = 0; i < 2; i++) {
        uint8_t st = conn->end[i].state;
        if (st != TL_ST_CLOSED && st != TL_ST_TIME_WAIT)
            return false;
    }
    return true;
}

/* The refused client's SYN again, same ISN. */
static bool refused_retry(const tl_conn *conn, tl_role from, const tl_segment *seg)
{
    const tl_end *x = &conn->end[from];
    return conn->refused && from == TL_CLIENT && x->isn_known && x->isn == seg->seq;
}

/* A SYN that cannot belong to this connection starts the next one. */
static bool opens_new_conn(const tl_conn *conn, const tl_segment *seg)
{
    if (!(seg->flags & TL_SYN) || (seg->flags & TL_RST))
        return false;
    tl_role from = sender_of(conn, seg);
    const tl_end *x = &conn->end[from];
    bool over = conn->reset_frame != 0 || conn_is_over(conn) || conn->missing;
    bool same_isn = x->isn_known && x->isn == seg->seq;

    if (seg->flags & TL_ACK)
        return over && !same_isn;
    /* Windows answers a refusal by re-sending the same SYN (twice, 0.5 s
     * apart) before connect() fails: one attempt. Any other SYN after a RST
     * or FIN is a new connect(): a stack picks a new ISN for it. */
    if (refused_retry(conn, from, seg))
        return false;
    if (over)
        return true;
    if (x->isn_known)
        return !same_isn;
    /* The peer's own SYN is a simultaneous open only while the client waits in SYN_SENT. */
    return from == TL_SERVER && conn->end[TL_CLIENT].state != TL_ST_SYN_SENT;
}

static void take_options(tl_end *x, const tl_segment *seg)
{
    x->mss = seg->mss;
    x->wscale = seg->wscale;
    x->sack_perm = seg->sack_perm;
    x->ts_ok = seg->has_ts;
    x->syn_data = seg->len > 0;
}

static void note_copy(uint16_t *copies, tl_verdict *v)
{
    if (*copies < UINT16_MAX)
        (*copies)++;
    v->attempt = *copies < TL_ATTEMPT_MAX ? *copies : TL_ATTEMPT_MAX;
}

/* Every SYN or SYN-ACK goes through on_syn, every FIN copy through on_fin,
 * and all of them are kept: the previous copy is in the chain. */
static bool is_syn_copy(const tl_verdict *k)
{
    return k->event == TL_EV_SYN || k->event == TL_EV_SYN_RETRANS
        || k->event == TL_EV_SYNACK || k->event == TL_EV_SYNACK_RETRANS;
}

static bool is_fin_copy(const tl_verdict *k)
{
    return k->event == TL_EV_FIN || k->event == TL_EV_FIN_ACK || k->event == TL_EV_FIN_RETRANS;
}

/* The time of a kept frame (all packets of a frame share its time). */
static int64_t kept_ts(const tl_conn *conn, tl_kept_finder find, uint32_t frame)
{
    const tl_verdict *k = find(conn, frame);
    return k ? k->ts : 0;
}

/* a + b, wrapping like the difference of the times it sums. */
static int64_t add_ns(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Which copy of the client's SYN the first SYN-ACK answers: Karn's rule, the
 * copy whose TSval it echoes; else the client's newest SYN or SYN-ACK. Walks
 * the chain once per connection, before this SYN-ACK is linked. */
static int64_t answered_syn_ts(const tl_conn *conn, const tl_segment *seg, const tl_end *client)
{
    bool karn = seg->has_ts && client->syn_copies > 1 && seg->tsecr == conn->karn.prev_syn_tsval;
    const tl_verdict *retrans = NULL;   /* newest re-sent bare SYN: prev_syn_tsval is its predecessor's */
    for (const tl_verdict *k = tl_conn_newest(conn); k; k = tl_verdict_prev(k)) {
        if (!is_syn_copy(k))
            continue;
        if (!karn) {
            if (k->sender == TL_CLIENT)
                return k->ts;
        } else if (!retrans) {
            if (k->event == TL_EV_SYN_RETRANS)
                retrans = k;
        } else if (k->sender == retrans->sender) {
            return k->ts;
        }
    }
    return 0;
}

/* Link a wrong ACK of x to the packet that now carries the right value. */
static void link_correction(tl_conn *conn, tl_end *x, tl_verdict *v)
{
    if (!x->wrong_ack_frame)
        return;
    tl_store_set_ack_link(x->wrong_ack_frame, conn->id, v->frame);
    tl_store_set_ack_link(v->frame, conn->id, x->wrong_ack_frame);
    v->ack_corrects = true;
    x->wrong_ack_frame = 0;
}

/* The expected number is the peer's ISN + 1 or FIN + 1, both fixed once
 * known: the verdict only says which (tl_verdict_ack_expected). */
static void check_ack(tl_verdict *v, bool of_fin)
{
    v->ack_checked = true;
    v->ack_of_fin = of_fin;
}

static void mark_wrong_ack(tl_conn *conn, tl_end *x, tl_verdict *v, bool of_fin)
{
    if (!conn->hs_ack_frame && !conn->fin_frame)
        conn->hs_wrong_ack = true;
    check_ack(v, of_fin);
    v->ack_wrong = true;
    v->findings |= TL_FIND_WRONG_ACK;
    if (!x->wrong_ack_frame)
        x->wrong_ack_frame = v->frame;
}

/* A state in which a live end answers a keep-alive probe with an ACK (those
 * after ESTABLISHED in tl_state's order); not TIME_WAIT, whose end may have
 * gone (its 2MSL is the capture's guess). */
static bool is_synchronized(uint8_t state)
{
    return state >= TL_ST_ESTABLISHED && state != TL_ST_TIME_WAIT;
}

/* A TCP with no connection for a segment (a restarted host, a middlebox that
 * dropped the state) answers one with the ACK bit by a bare RST whose seq is
 * that ACK (RFC 9293 3.10.7.1); a live end answers a keep-alive probe with an
 * ACK. Only after a probe: after data the same RST is also how an RFC 793
 * stack aborts (<SEQ=SND.NXT><CTL=RST>) once everything is acknowledged. */
static bool answers_probe_as_unknown(const tl_conn *conn, const tl_segment *seg, tl_role from)
{
    const tl_end *peer = &conn->end[!from];
    return !(seg->flags & TL_ACK) && conn->probe_sender != from && conn->probe_run > 0
           && seg->seq == peer->max_ack
           && is_synchronized(conn->end[from].state) && is_synchronized(peer->state);
}

/* The scale of y's windows towards x: y's own shift when both SYNs offered
 * one (RFC 7323), -1 when the SYNs were not both seen (an ISN unknown). */
static int window_shift(const tl_conn *conn, tl_role from)
{
    const tl_end *x = &conn->end[from];
    const tl_end *y = &conn->end[!from];
    if (conn->missing || !x->isn_known || !y->isn_known)
        return -1;
    return x->wscale < 0 || y->wscale < 0 ? 0 : y->wscale;
}

/* Whether the receiver y's TCP drops this RST (RFC 9293 3.10.7). In SYN_SENT
 * one whose ACK field does not acknowledge y's SYN: without the ACK flag too
 * (lwIP takes a RST whose ACK field is right even without the flag). In
 * SYN_RECEIVED to LAST_ACK one whose seq lies outside every receive window y
 * can have: behind y's own highest ACK (one below is taken: Linux accepts a
 * RST at a FIN's seq), or beyond the largest window y's SYN allowed. A RST
 * inside the window counts: RFC 5961 stacks want the exact next seq, which
 * the capture cannot tell (judge_reset may find out later). */
static bool rst_ignored(const tl_conn *conn, const tl_segment *seg, tl_role from)
{
    const tl_end *x = &conn->end[from];
    const tl_end *y = &conn->end[!from];
    if (y->state == TL_ST_SYN_SENT)
        return y->isn_known && (!SEQ_GT(seg->ack, y->isn) || SEQ_GT(seg->ack, y->nxt));
    if (!(is_synchronized(y->state) || y->state == TL_ST_SYN_RECEIVED) || !y->acked_any)
        return false;
    /* y's highest ACK bounds its next expected seq only if x sent that far. */
    if ((!x->nxt_known || !SEQ_GT(y->max_ack, x->nxt)) && tl_seq_diff(seg->seq, y->max_ack) < -1)
        return true;
    int shift = window_shift(conn, from);
    if (shift < 0)
        return false;
    uint32_t edge = x->nxt_known && SEQ_GT(x->nxt, y->max_ack) ? x->nxt : y->max_ack;
    return tl_seq_diff(seg->seq, edge) > (int64_t)UINT16_MAX << shift;
}

static void on_rst(tl_conn *conn, const tl_segment *seg, tl_role from, tl_verdict *v)
{
    v->event = TL_EV_RST;
    if (rst_ignored(conn, seg, from)) {
        v->findings |= TL_FIND_RST_IGNORED;
        return;
    }
    if (conn->end[!from].state == TL_ST_TIME_WAIT)
        v->findings |= TL_FIND_TW_ASSASSINATION;
    if (!conn->reset_frame) {
        conn->reset_frame = seg->frame;
        conn->reset_sender = from;
        /* One probe and a RST within a round trip is an application's abort as
         * often as a timeout; a stack gives up after several (Linux 9, Windows 10). */
        if (conn->probe_sender == from && conn->probe_run >= 2) {
            conn->reset_probes = conn->probe_run;
            v->findings |= TL_FIND_KEEPALIVE_TIMEOUT;
        }
        if (from == TL_SERVER && conn->end[TL_CLIENT].state == TL_ST_SYN_SENT && !conn->synack_frame) {
            conn->reset_kind = TL_RESET_REFUSED;
            conn->refused = true;
            v->findings |= TL_FIND_REFUSED;
        } else if (!conn->fin_frame) {
            conn->reset_kind = TL_RESET_ABORT;
            v->findings |= TL_FIND_ABORT;
        } else if (conn->end[TL_CLIENT].fin_acked && conn->end[TL_SERVER].fin_acked) {
            conn->reset_kind = TL_RESET_AFTER_CLOSE;
        } else {
            conn->reset_kind = TL_RESET_DURING_CLOSE;
        }
        /* During a close too: an orphaned FIN_WAIT_2 end is gone after its timeout
         * (Linux tcp_fin_timeout, 60 s) while the peer, in CLOSE_WAIT, still probes. */
        if (answers_probe_as_unknown(conn, seg, from)) {
            conn->stale = true;
            v->findings |= TL_FIND_STALE;
        }
    }
    conn->end[TL_CLIENT].state = TL_ST_CLOSED;
    conn->end[TL_SERVER].state = TL_ST_CLOSED;
}

static void check_synack_ack(tl_conn *conn, const tl_segment *seg, tl_end *x, tl_end *y, tl_verdict *v)
{
    if (!y->isn_known)
        return;
    check_ack(v, false);
    /* With TFO the SYN's data may be acknowledged too: anything up to y's next is right. */
    if (!(seg->flags & TL_ACK) || SEQ_LT(seg->ack, y->isn + 1) || SEQ_GT(seg->ack, y->nxt)) {
        mark_wrong_ack(conn, x, v, false);
        return;
    }
    link_correction(conn, x, v);
    y->syn_acked = true;
}

/* The two legs, without rtt and connect time. */
static void handshake_legs(const tl_conn *conn, tl_handshake_times *times)
{
    memset(times, 0, sizeof *times);
    if (conn->simul_open || !conn->synack_frame)
        return;
    /* The SYN must precede its SYN-ACK in the capture for the first leg. */
    times->has_syn_leg = conn->syn_frame && conn->syn_frame < conn->synack_frame;
    times->has_ack_leg = conn->hs_ack_frame != 0;
    times->has_rtt = times->has_syn_leg && times->has_ack_leg;
    if (times->has_syn_leg)
        times->syn_to_synack = conn->legs.syn_leg;
    if (times->has_ack_leg)
        times->synack_to_ack = conn->legs.ack_leg;
}

/* Time from capturing a packet of `who` to capturing the peer's immediate
 * reply: a handshake leg, or -1 when the handshake was not seen. */
static int64_t reply_leg(const tl_conn *conn, tl_role who)
{
    tl_handshake_times times;
    handshake_legs(conn, &times);
    if (!times.has_rtt)
        return -1;
    return who == TL_CLIENT ? times.syn_to_synack : times.synack_to_ack;
}

/* Whether a segment of who that passed the capture point at sent had
 * reached the peer before the peer sent the one passing at ts: more than two
 * of the handshake legs of who's packets plus slack later (false when the
 * handshake was not seen). */
static bool arrived_before(const tl_conn *conn, tl_role who, int64_t sent, int64_t ts)
{
    int64_t leg = reply_leg(conn, who);
    return leg >= 0 && ts - sent > 2 * leg + TL_ARRIVAL_SLACK_NS;
}

/* Whether a server segment at ts left after the handshake ACK reached it. */
static bool hs_ack_reached_server(const tl_conn *conn, int64_t ts)
{
    const tl_verdict *ack = tl_conn_verdict_at(conn, conn->hs_ack_frame);
    return ack && ack->frame == conn->hs_ack_frame && arrived_before(conn, TL_CLIENT, ack->ts, ts);
}

/* A later packet proved an inference wrong: rewrite an end's state in the
 * kept verdicts since a frame (packets in between derive from them). A FIN
 * of who's re-sent into TIME_WAIT already amended everything before it: the
 * walk stops there, so a storm of re-sent FINs costs one walk, not one each. */
static void amend_state(tl_conn *conn, tl_role who, uint32_t since, uint8_t wrong, uint8_t right)
{
    for (tl_verdict *k = tl_store_at(conn->last); k && k->frame >= since; k = tl_store_at(k->prev)) {
        if (k->state[who] == wrong)
            k->state[who] = right;
        if (k->sender == who && (k->findings & TL_FIND_TW_FIN_RETRANS))
            break;
    }
}

static void on_syn(tl_conn *conn, const tl_segment *seg, tl_role from, tl_verdict *v)
{
    tl_end *x = &conn->end[from];
    tl_end *y = &conn->end[!from];
    bool first_copy = !x->isn_known;

    if (first_copy) {
        uint32_t syn_end = seg->seq + 1 + seg->len;
        x->isn = seg->seq;
        x->isn_known = true;
        /* Data captured before its SYN (reordering) already advanced nxt. */
        if (!x->nxt_known || SEQ_GT(syn_end, x->nxt))
            x->nxt = syn_end;
        x->nxt_known = true;
        if (!conn->synack_frame)
            conn->karn.syn_tsval[from] = seg->tsval;
        take_options(x, seg);
        if (seg->len) {
            x->bytes += seg->len;
            if (!conn->data_first_frame)
                conn->data_first_frame = seg->frame;
            conn->data_last_frame = seg->frame;
        }
    }

    if (!(seg->flags & TL_ACK)) {
        if (!first_copy) {
            if (!conn->synack_frame) {
                conn->karn.prev_syn_tsval = conn->karn.syn_tsval[from];
                conn->karn.syn_tsval[from] = seg->tsval;
            }
            note_copy(&x->syn_copies, v);
            v->event = TL_EV_SYN_RETRANS;
            v->findings |= TL_FIND_SYN_RETRANS;
            if (refused_retry(conn, from, seg)) {
                /* The attempt goes on: a listener may be up by now. */
                x->state = TL_ST_SYN_SENT;
                conn->refused = false;
                conn->reset_frame = 0;
                conn->reset_kind = TL_RESET_NONE;
            }
            return;
        }
        x->syn_copies = 1;
        v->event = TL_EV_SYN;
        if (from == TL_CLIENT) {
            conn->syn_frame = seg->frame;
            x->state = TL_ST_SYN_SENT;
        } else {
            /* Both ends sent a bare SYN: each moves to SYN_RECEIVED on the other's.
             * This end had connected, not listened, since the first SYN. */
            conn->simul_open = true;
            v->findings |= TL_FIND_SIMUL_OPEN;
            amend_state(conn, from, conn->syn_frame, TL_ST_LISTEN, TL_ST_SYN_SENT);
            x->state = TL_ST_SYN_RECEIVED;
            y->state = TL_ST_SYN_RECEIVED;
        }
        return;
    }

    /* SYN-ACK: its ACK is what x has acknowledged so far. */
    if (!x->acked_any || SEQ_GT(seg->ack, x->max_ack)) {
        x->max_ack = seg->ack;
        x->acked_any = true;
    }
    if (x->synack_copies > 0) {
        note_copy(&x->synack_copies, v);
        v->event = TL_EV_SYNACK_RETRANS;
        /* Sent after the handshake ACK had reached it, the server did not get
         * or did not take that ACK: lost on the way, TCP_DEFER_ACCEPT waiting
         * for data, or a full accept queue. Having sent nothing else, it was
         * in SYN_RECEIVED all along. (Sooner, it answers a re-sent SYN.) */
        if (from == TL_SERVER && conn->hs_ack_frame && !conn->simul_open && hs_ack_reached_server(conn, seg->ts)) {
            v->findings |= TL_FIND_SYNACK_AFTER_HS;
            if (x->bytes == 0 && !x->fin_sent && x->state == TL_ST_ESTABLISHED) {
                amend_state(conn, from, conn->hs_ack_frame, TL_ST_ESTABLISHED, TL_ST_SYN_RECEIVED);
                x->state = TL_ST_SYN_RECEIVED;
            }
        }
        check_synack_ack(conn, seg, x, y, v);
        /* A re-sent SYN-ACK may carry the right ACK the first one lacked. */
        if (y->syn_acked && y->state == TL_ST_SYN_SENT)
            y->state = TL_ST_ESTABLISHED;
        return;
    }
    x->synack_copies = 1;
    v->event = TL_EV_SYNACK;
    if (from == TL_SERVER && !conn->synack_frame) {
        /* Read the Karn TSvals before the legs take their place. (A SYN
         * captured after its SYN-ACK leaves the leg unmeasured.) */
        int64_t answered = answered_syn_ts(conn, seg, y);
        conn->synack_frame = seg->frame;
        conn->legs.syn_leg = seg->ts - answered;
        conn->answered_first = conn->syn_frame && answered == kept_ts(conn, tl_conn_verdict_at, conn->syn_frame);
    }
    check_synack_ack(conn, seg, x, y, v);
    if (x->state != TL_ST_ESTABLISHED)
        x->state = TL_ST_SYN_RECEIVED;
    if (!y->syn_acked)
        return;
    y->state = TL_ST_ESTABLISHED;
    if (conn->simul_open) {
        /* The client's own SYN-ACK is what acknowledges the server's SYN. */
        if (from == TL_CLIENT && !conn->hs_ack_frame)
            conn->hs_ack_frame = seg->frame;
        if (x->syn_acked) {
            x->state = TL_ST_ESTABLISHED;
            conn->complete = !conn->hs_wrong_ack;
        }
    }
}

/* The client's ACK of the SYN-ACK. */
static void on_handshake_ack(tl_conn *conn, const tl_segment *seg, tl_end *x, tl_end *y, tl_verdict *v)
{
    v->event = TL_EV_HANDSHAKE_ACK;
    check_ack(v, false);
    if (SEQ_LT(seg->ack, y->isn + 1) || SEQ_GT(seg->ack, y->nxt)) {
        mark_wrong_ack(conn, x, v, false);
        return;
    }
    link_correction(conn, x, v);
    y->syn_acked = true;
    y->state = TL_ST_ESTABLISHED;
    if (x->state == TL_ST_SYN_SENT || x->state == TL_ST_SYN_RECEIVED)
        x->state = TL_ST_ESTABLISHED;
    conn->hs_ack_frame = seg->frame;
    conn->legs.ack_leg = seg->ts - kept_ts(conn, tl_conn_verdict_at, conn->synack_frame);
    conn->complete = conn->syn_frame && x->syn_acked;
}

void tl_conn_handshake_times(const tl_conn *conn, tl_kept_finder find, tl_handshake_times *times)
{
    handshake_legs(conn, times);
    if (!times->has_rtt)
        return;
    times->rtt = add_ns(times->syn_to_synack, times->synack_to_ack);
    if (conn->answered_first) {
        times->connect_time = times->rtt;
        return;
    }
    /* A later SYN copy was answered: hs_ack_ts - first_syn_ts, from the kept verdicts. */
    uint64_t hs_ack_ts = (uint64_t)kept_ts(conn, find, conn->synack_frame) + (uint64_t)times->synack_to_ack;
    times->connect_time = (int64_t)(hs_ack_ts - (uint64_t)kept_ts(conn, find, conn->syn_frame));
}

/* Each end's first FIN time is kept; the ACKs' are those of their kept
 * verdicts. */
void tl_conn_close_times(const tl_conn *conn, tl_kept_finder find, tl_close_times *times)
{
    memset(times, 0, sizeof *times);
    if (!conn->fin_frame)
        return;
    int64_t fin_ts = conn->end[conn->first_closer].fin_ts;
    int64_t second_fin_ts = conn->end[!conn->first_closer].fin_ts;
    times->has_duration = conn->last_ack_frame != 0;
    times->has_close_wait = conn->second_fin_frame != 0;
    times->has_fin_wait_2 = conn->fin_ack_frame && conn->second_fin_frame;
    if (times->has_duration)
        times->duration = kept_ts(conn, find, conn->last_ack_frame) - fin_ts;
    if (times->has_close_wait)
        times->close_wait = second_fin_ts - fin_ts;
    if (times->has_fin_wait_2)
        times->fin_wait_2 = second_fin_ts - kept_ts(conn, find, conn->fin_ack_frame);
}

/* Whether the FIN of y_role had reached its peer before the peer sent a
 * segment at ts. Only for a FIN sent once: after a re-sent FIN the first
 * copy may have been lost on the way. */
static bool fin_arrived_before(const tl_conn *conn, tl_role y_role, int64_t ts)
{
    const tl_end *y = &conn->end[y_role];
    return y->fin_copies == 1 && arrived_before(conn, y_role, y->fin_ts, ts);
}

/* Kept verdicts judge_reset walks back at most to find the reset: a storm of
 * RSTs since (each kept) would make every later segment walk it. */
#define RESET_WALK_MAX 64

/* The kept verdict of the RST that reset the connection (an abort or during
 * a close) and, in *before, the one before it; NULL if not kept or too far. */
static tl_verdict *reset_rst(const tl_conn *conn, const tl_verdict **before)
{
    *before = NULL;
    if (conn->reset_kind != TL_RESET_ABORT && conn->reset_kind != TL_RESET_DURING_CLOSE)
        return NULL;
    tl_verdict *rst = tl_store_at(conn->last);
    for (int i = 0; rst && rst->frame > conn->reset_frame && i < RESET_WALK_MAX; i++)
        rst = tl_store_at(rst->prev);
    if (!rst || rst->frame != conn->reset_frame)
        return NULL;
    *before = tl_stored(rst->prev);
    return *before ? rst : NULL;
}

/* Undo the RST for its receiver y, which never took it (why qualifies the
 * finding): y is back in its state before it, in the kept verdicts too. The
 * sender's later RSTs sent before covered_before are not taken either; the
 * first one after (a sender answering every segment with a RST) becomes the
 * reset. */
static void revive_receiver(tl_conn *conn, tl_verdict *rst, const tl_verdict *before, int64_t covered_before,
                            uint32_t why)
{
    tl_role y = (tl_role)!rst->sender;
    tl_verdict *reset = NULL;
    for (tl_verdict *k = tl_store_at(conn->last); k && k != rst; k = tl_store_at(k->prev)) {
        if (k->event == TL_EV_RST && k->sender == rst->sender && k->ts >= covered_before)
            reset = k;
    }
    uint32_t until = reset ? reset->frame : UINT32_MAX;
    for (tl_verdict *k = tl_store_at(conn->last); k && k->frame >= rst->frame; k = tl_store_at(k->prev)) {
        if (k->frame >= until)
            continue;
        if (k->state[y] == TL_ST_CLOSED)
            k->state[y] = before->state[y];
        if (k->event == TL_EV_RST && k->sender == rst->sender)
            k->findings |= TL_FIND_RST_IGNORED | why;
    }
    uint32_t abort = rst->findings & TL_FIND_ABORT;
    rst->findings &= ~(TL_FIND_ABORT | TL_FIND_KEEPALIVE_TIMEOUT | TL_FIND_STALE);
    conn->reset_probes = 0;
    conn->stale = false;
    if (reset) {
        reset->findings |= abort;
        conn->reset_frame = reset->frame;
        return;
    }
    conn->end[y].state = before->state[y];
    conn->reset_frame = 0;
    conn->reset_kind = TL_RESET_NONE;
    conn->reset_sender = 0;
}

/* The first kept data segment the RST's named sender sent after it (kept: it
 * took that end out of CLOSED), past the slack, with data the receiver had not
 * acknowledged (no retransmission of what it had, no keep-alive probe); NULL
 * if none within the walk's bound. */
static const tl_verdict *first_sent_after(const tl_conn *conn, const tl_verdict *rst)
{
    const tl_end *y = &conn->end[!rst->sender];
    const tl_verdict *first = NULL;
    const tl_verdict *k = tl_stored(conn->last);
    for (int i = 0; k && k != rst && i < RESET_WALK_MAX; i++, k = tl_verdict_prev(k)) {
        if (k->sender == rst->sender && k->event != TL_EV_RST && k->len && k->ts - rst->ts > TL_ARRIVAL_SLACK_NS
            && !SEQ_LT(k->seq, y->max_ack))
            first = k;
    }
    return k == rst ? first : NULL;
}

/* Whether the other end sent a RST after rst (within the walk's bound): then
 * it is CLOSED by its own, whatever became of rst. */
static bool peer_rst_since(const tl_conn *conn, const tl_verdict *rst)
{
    const tl_verdict *k = tl_stored(conn->last);
    for (int i = 0; k && k != rst && i < RESET_WALK_MAX; i++, k = tl_verdict_prev(k)) {
        if (k->event == TL_EV_RST && k->sender != rst->sender)
            return true;
    }
    return k != rst;
}

/* The RST's named sender sends more, more than the slack after it on the same
 * path: its TCP did not send it (one that aborts sends nothing more): the RST
 * was injected, by a middlebox or an attacker. That end is back in its state
 * before the RST, in the kept verdicts too. */
static void sender_went_on(tl_conn *conn, tl_verdict *rst, const tl_verdict *before, const tl_segment *seg)
{
    tl_role x = (tl_role)rst->sender;
    if (seg->ts - rst->ts <= TL_ARRIVAL_SLACK_NS || !is_synchronized(before->state[x]) || peer_rst_since(conn, rst))
        return;
    amend_state(conn, x, rst->frame, TL_ST_CLOSED, before->state[x]);
    conn->end[x].state = before->state[x];
    rst->findings |= TL_FIND_RST_INJECTED;
}

/* Once the receiver of the connection's RST was shown to go on (the RST
 * undone, reset_frame cleared), the RST's named sender, still CLOSED, may be
 * shown to go on too. */
static void sender_after_undone_rst(tl_conn *conn, const tl_segment *seg, tl_role from)
{
    tl_verdict *k = tl_store_at(conn->last);
    for (int i = 0; k && i < RESET_WALK_MAX; i++, k = tl_store_at(k->prev)) {
        if (k->event != TL_EV_RST)
            continue;
        const tl_verdict *before = tl_stored(k->prev);
        if (k->sender == from && (k->findings & (TL_FIND_RST_WENT_ON | TL_FIND_RST_DROPPED)) && before)
            sender_went_on(conn, k, before, seg);
        return;
    }
}

/* A bloated queue holds seconds of a bulk sender's segments: the receiver's
 * segments that left before a RST arrived keep passing the capture point that
 * long after it. Only later ones prove it went on. */
#define RST_PROOF_MIN_NS INT64_C(3000000000)

/* A segment other than RST or SYN from an end the connection's RST left
 * CLOSED, which was synchronized before it. From the receiver, sent after the
 * RST had reached it and more than RST_PROOF_MIN_NS after it: it did not take
 * the RST (not at its exact next seq, RFC 5961; or lost on the way). From the
 * RST's named sender, after it on the path: its TCP did not send it (one that
 * aborts sends nothing more): the RST was injected, by a middlebox or an
 * attacker. Either end is back in its state before the RST, in the kept
 * verdicts too. */
static void judge_reset(tl_conn *conn, const tl_segment *seg, tl_role from)
{
    if (conn->end[from].state != TL_ST_CLOSED)
        return;
    const tl_verdict *before;
    tl_verdict *rst = reset_rst(conn, &before);
    if (!rst)
        return;
    if (from == conn->reset_sender) {
        sender_went_on(conn, rst, before, seg);
        return;
    }
    if (!is_synchronized(before->state[from]))
        return;
    /* Acknowledging what the named sender sent after an injected RST needs no
     * timing: it had the RST by then, and a TCP that took it answers with a RST. */
    const tl_verdict *later = (rst->findings & TL_FIND_RST_INJECTED) && (seg->flags & TL_ACK)
                              ? first_sent_after(conn, rst) : NULL;
    if (later && SEQ_GT(seg->ack, later->seq)) {
        revive_receiver(conn, rst, before, later->ts, TL_FIND_RST_WENT_ON);
        return;
    }
    int64_t covered = seg->ts - RST_PROOF_MIN_NS;
    if (covered > rst->ts && arrived_before(conn, (tl_role)rst->sender, rst->ts, seg->ts)) {
        /* Later RSTs that old reached it too (reach < RST_PROOF_MIN_NS is the usual case). */
        int64_t leg = reply_leg(conn, (tl_role)rst->sender);
        int64_t reached = seg->ts - 2 * leg - TL_ARRIVAL_SLACK_NS;
        revive_receiver(conn, rst, before, covered < reached ? covered : reached, TL_FIND_RST_WENT_ON);
    }
}

/* Check an ACK from x against y's FIN; returns true when it acknowledges it for the first time. */
static bool check_fin_ack(tl_conn *conn, const tl_segment *seg, tl_role from, bool advanced, tl_verdict *v)
{
    tl_end *x = &conn->end[from];
    tl_end *y = &conn->end[!from];
    uint32_t want = y->fin_seq + 1;

    if (SEQ_GT(seg->ack, want)) {
        /* Nothing follows a FIN: an ACK beyond it is always wrong. */
        mark_wrong_ack(conn, x, v, true);
        return false;
    }
    if (seg->ack == want) {
        if (y->fin_acked)
            return false;
        check_ack(v, true);
        link_correction(conn, x, v);
        y->fin_acked = true;
        return true;
    }
    /* A pure ACK of everything but the FIN, acknowledging nothing new, sent
     * after the FIN must have arrived: the stack missed the FIN. (A FIN that
     * misses it is a crossing: a simultaneous close.) */
    bool pure = seg->len == 0 && !(seg->flags & TL_FIN);
    if (pure && seg->ack == y->fin_seq && !advanced && fin_arrived_before(conn, (tl_role)!from, seg->ts))
        mark_wrong_ack(conn, x, v, true);
    return false;
}

/* The 2MSL clock (re)starts here. */
static void start_time_wait(tl_end *e, const tl_segment *seg)
{
    e->state = TL_ST_TIME_WAIT;
    e->tw_frame = seg->frame;
    e->tw_ts = seg->ts;
}

static void on_fin_acked(tl_conn *conn, const tl_segment *seg, tl_role acked)
{
    tl_end *y = &conn->end[acked];
    tl_end *x = &conn->end[!acked];
    /* The closer's final ACK is where its TIME_WAIT really begins. */
    if (x->state == TL_ST_TIME_WAIT)
        start_time_wait(x, seg);
    if (acked == conn->first_closer && !conn->fin_ack_frame)
        conn->fin_ack_frame = seg->frame;
    switch (y->state) {
    case TL_ST_FIN_WAIT_1: y->state = TL_ST_FIN_WAIT_2; break;
    case TL_ST_CLOSING:    start_time_wait(y, seg); break;
    case TL_ST_LAST_ACK:   y->state = TL_ST_CLOSED; break;
    default: break;
    }
    if (conn->end[TL_CLIENT].fin_acked && conn->end[TL_SERVER].fin_acked && !conn->last_ack_frame)
        conn->last_ack_frame = seg->frame;
}

static void on_fin(tl_conn *conn, const tl_segment *seg, tl_role from, bool acked_fin_now,
                   uint8_t peer_before, tl_verdict *v)
{
    tl_end *x = &conn->end[from];
    tl_end *y = &conn->end[!from];
    uint32_t fin_seq = seg->seq + seg->len;

    if (x->fin_sent) {
        note_copy(&x->fin_copies, v);
        v->event = TL_EV_FIN_RETRANS;
        if (peer_before == TL_ST_TIME_WAIT) {
            /* The final ACK was lost: what TIME_WAIT is for. x never left LAST_ACK. */
            v->findings |= TL_FIND_TW_FIN_RETRANS;
            y->reack_due = true;
            if (x->state == TL_ST_CLOSED && conn->last_ack_frame) {
                amend_state(conn, from, conn->last_ack_frame, TL_ST_CLOSED, TL_ST_LAST_ACK);
                x->state = TL_ST_LAST_ACK;
            }
        } else {
            v->findings |= TL_FIND_FIN_RETRANS;
        }
        return;
    }
    x->fin_sent = true;
    x->fin_seq = fin_seq;
    x->fin_ts = seg->ts;
    x->fin_copies = 1;
    if (SEQ_GT(fin_seq + 1, x->nxt))
        x->nxt = fin_seq + 1;

    if (!conn->fin_frame) {
        conn->fin_frame = seg->frame;
        conn->first_closer = from;
        conn->passive_prev_state = y->state;
        v->event = TL_EV_FIN;
        x->state = TL_ST_FIN_WAIT_1;
        y->state = TL_ST_CLOSE_WAIT;
        return;
    }

    conn->second_fin_frame = seg->frame;
    v->event = TL_EV_FIN;
    if (acked_fin_now) {
        conn->merged = true;
        v->event = TL_EV_FIN_ACK;
        v->findings |= TL_FIND_MERGED_FIN_ACK;
    } else if (!y->fin_acked) {
        conn->simul_close = true;
        v->findings |= TL_FIND_SIMUL_CLOSE;
        /* Acknowledging less than the data before the first FIN, and sent after
         * that FIN came in: it waited behind missing data, no crossing. */
        conn->fin_behind_gap = SEQ_LT(seg->ack, y->fin_seq) && fin_arrived_before(conn, (tl_role)!from, seg->ts);
        /* The FINs crossed: the second closer never was in CLOSE_WAIT. */
        amend_state(conn, from, conn->fin_frame, TL_ST_CLOSE_WAIT, conn->passive_prev_state);
        x->state = TL_ST_CLOSING;
        y->state = TL_ST_CLOSING;
        return;
    }
    x->state = TL_ST_LAST_ACK;
    start_time_wait(y, seg);
}

/* A client in SYN_SENT sends an ACK of its SYN only after a SYN-ACK: this
 * one was not captured. Its ACK number is where the server's sequence space
 * goes on. A SYN-ACK captured later still meets its handshake ACK. */
static void on_unseen_synack(tl_end *x, tl_end *y, const tl_segment *seg)
{
    if (!x->isn_known || seg->seq != x->nxt || flags_are_bad(seg->flags))
        return;
    x->syn_acked = true;
    x->state = TL_ST_ESTABLISHED;
    y->state = TL_ST_ESTABLISHED;
    if (!y->nxt_known) {
        y->nxt = seg->ack;
        y->nxt_known = true;
    }
}

/* Whether x may have sent up to end_seq: inside the window y last advertised
 * beyond its ACK (RFC 9293 3.10.7.4), unscaled unless both SYNs agreed on a
 * scale, and the gap no wider than that window either (an ACK far beyond
 * what x sent is no licence). Never mid-stream, where x's next sequence
 * number may be a guess (a keep-alive probe's seq is one too low), nor
 * before y advertised a window. */
static bool in_peer_window(const tl_conn *conn, tl_role from, uint32_t end_seq)
{
    const tl_end *x = &conn->end[from];
    const tl_end *y = &conn->end[!from];
    if (conn->missing || !y->acked_any || !conn->win[!from])
        return false;
    /* Unknown scale (a SYN not seen): unscaled, an underestimate. */
    int shift = (conn->win_unscaled >> !from) & 1 ? 0 : window_shift(conn, from);
    int64_t window = (int64_t)conn->win[!from] << (shift > 0 ? shift : 0);
    return tl_seq_diff(end_seq, y->max_ack) <= window && tl_seq_diff(end_seq, x->nxt) <= window;
}

/* Bytes count sequence space: a segment beyond a gap (data lost before the
 * capture point, or captured out of order) covers the gap too when the
 * receiver's window allowed it, and the segment filling it later adds
 * nothing. A keep-alive probe's one old byte (Windows) is not the data phase:
 * it would move data.last_frame to every probe of an idle connection. */
static void count_payload(tl_conn *conn, const tl_segment *seg, tl_role from, bool probe)
{
    tl_end *x = &conn->end[from];
    uint32_t end_seq = seg->seq + seg->len;
    if (!x->nxt_known) {
        x->nxt = seg->seq;
        x->nxt_known = true;
    }
    if ((seg->len == 0 && !(seg->flags & TL_FIN)) || probe)
        return;
    if (seg->len) {
        if (!conn->data_first_frame)
            conn->data_first_frame = seg->frame;
        conn->data_last_frame = seg->frame;
    }
    if (SEQ_GT(end_seq, x->nxt)) {
        uint32_t fresh = (uint32_t)tl_seq_diff(end_seq, x->nxt);
        x->bytes += fresh <= seg->len || in_peer_window(conn, from, end_seq) ? fresh : seg->len;
        x->nxt = end_seq;
    }
}

static void on_segment(tl_conn *conn, const tl_segment *seg, tl_role from, bool probe, tl_verdict *v)
{
    tl_end *x = &conn->end[from];
    tl_end *y = &conn->end[!from];
    uint64_t bytes_before = x->bytes;
    bool advanced = false;
    bool acked_fin_now = false;
    bool was_over = conn_is_over(conn) && conn->fin_frame;
    uint8_t peer_before = y->state;    /* before this packet's own ACK moves it */

    count_payload(conn, seg, from, probe);
    if (conn->reset_frame) {
        /* Leftovers after a RST change nothing. */
        v->event = seg->len ? TL_EV_DATA : TL_EV_ACK;
        return;
    }

    if (seg->flags & TL_ACK) {
        if (!x->acked_any || SEQ_GT(seg->ack, x->max_ack)) {
            advanced = true;
            x->max_ack = seg->ack;
            x->acked_any = true;
        }
        if (from == TL_CLIENT && conn->synack_frame && !y->syn_acked && y->isn_known && !conn->simul_open)
            on_handshake_ack(conn, seg, x, y, v);
        else if (from == TL_CLIENT && y->state == TL_ST_SYN_RECEIVED && y->syn_acked && !conn->simul_open)
            y->state = TL_ST_ESTABLISHED;   /* the ACK of a SYN-ACK re-sent after the handshake */
        else if (from == TL_CLIENT && x->state == TL_ST_SYN_SENT && !conn->synack_frame && !conn->simul_open)
            on_unseen_synack(x, y, seg);
        if (y->fin_sent && check_fin_ack(conn, seg, from, advanced, v)) {
            acked_fin_now = true;
            on_fin_acked(conn, seg, (tl_role)!from);
        }
        if (x->reack_due && x->state == TL_ST_TIME_WAIT && seg->ack == y->fin_seq + 1) {
            /* RFC 9293: acknowledge the re-sent FIN and restart the 2MSL clock. */
            x->reack_due = false;
            v->findings |= TL_FIND_TW_REACK;
            start_time_wait(x, seg);
            if (y->state == TL_ST_LAST_ACK)
                y->state = TL_ST_CLOSED;
        }
    }

    if (seg->flags & TL_FIN)
        on_fin(conn, seg, from, acked_fin_now, peer_before, v);
    if (was_over && (seg->len || (seg->flags & TL_FIN)) && !(v->findings & TL_FIND_TW_FIN_RETRANS))
        v->findings |= TL_FIND_LATE_SEGMENT;

    /* Payload from an end that has acknowledged the peer's FIN: a half-close. */
    bool knows_peer_fin = y->fin_sent && x->acked_any && SEQ_GEQ(x->max_ack, y->fin_seq + 1);
    if (x->bytes > bytes_before && knows_peer_fin && conn->first_closer != from) {
        conn->half_close_bytes += (uint32_t)(x->bytes - bytes_before);
        if (!conn->half_close) {
            conn->half_close = true;
            v->findings |= TL_FIND_HALF_CLOSE;
        }
    }

    if (v->event != TL_EV_NONE)
        return;
    if (x->bytes > bytes_before && knows_peer_fin)
        v->event = TL_EV_DATA_AFTER_FIN;    /* new payload: a re-sent old segment is plain data */
    else if (acked_fin_now)
        v->event = conn->last_ack_frame == seg->frame ? TL_EV_FINAL_ACK : TL_EV_ACK_OF_FIN;
    else
        v->event = seg->len ? TL_EV_DATA : TL_EV_ACK;
}

/* A keep-alive probe (RFC 9293 3.8.4), as Linux, the BSDs and Windows send
 * it: an ACK at most one byte long, one below all the peer acknowledged, from
 * an end with nothing unacknowledged -- so not a re-sent last byte. Its next
 * sequence number is that ACK, or, picked up mid-stream, a guess that can be
 * lower (a first probe seen). A zero-window probe has the same shape: none
 * counts while the peer's window is closed. */
static bool is_keepalive_probe(const tl_conn *conn, const tl_end *x, const tl_end *y, const tl_segment *seg)
{
    if (seg->len > 1 || (seg->flags & (TL_SYN | TL_FIN | TL_RST | TL_ACK)) != TL_ACK
        || !x->nxt_known || !y->acked_any || y->zero_window || seg->seq + 1 != y->max_ack)
        return false;
    return x->nxt == y->max_ack || (conn->missing && SEQ_LT(x->nxt, y->max_ack));
}

/* Count the probes of one end in a row: anything else, from either end,
 * ends the run (the peer's segment answers them). */
static void count_probes(tl_conn *conn, tl_role from, bool probe)
{
    if (!probe || conn->probe_sender != from)
        conn->probe_run = 0;
    conn->probe_sender = from;
    if (probe && conn->probe_run < 15)
        conn->probe_run++;
}

tl_step_result tl_conn_step(tl_conn *conn, const tl_segment *seg, tl_verdict *v, tl_gap *gap)
{
    bool first = !conn->started;
    if (first)
        start(conn, seg);
    else if (opens_new_conn(conn, seg))
        return TL_STEP_NEW_CONN;

    tl_role from = sender_of(conn, seg);
    uint8_t before[2] = { conn->end[TL_CLIENT].state, conn->end[TL_SERVER].state };
    bool probe = is_keepalive_probe(conn, &conn->end[from], &conn->end[!from], seg);

    /* A TIME_WAIT end is CLOSED by the first packet after its 2MSL. */
    for (int i = 0; i < 2; i++) {
        tl_end *e = &conn->end[i];
        if (e->state == TL_ST_TIME_WAIT && seg->ts - e->tw_ts > time_wait_ns)
            e->state = TL_ST_CLOSED;
    }

    memset(v, 0, sizeof *v);
    v->frame = seg->frame;
    v->conn_id = conn->id;
    v->sender = (uint8_t)from;
    v->ack_got = seg->ack;
    v->ts = seg->ts;
    v->seq = seg->seq;
    v->len = seg->len;
    v->flags = seg->flags;
    uint64_t bytes_before = conn->end[from].bytes;
    conn->last_ts = seg->ts;
    if (first && conn->missing)
        v->findings |= TL_FIND_NO_HANDSHAKE;
    if (first && conn->reuse_in_2msl)
        v->findings |= TL_FIND_TW_REUSE | (conn->reuse_safe ? 0 : TL_FIND_TW_REUSE_UNSAFE);
    if (flags_are_bad(seg->flags))
        v->findings |= TL_FIND_BAD_FLAGS;

    if (seg->flags & TL_RST)
        on_rst(conn, seg, from, v);
    else if (seg->flags & TL_SYN)
        on_syn(conn, seg, from, v);
    else {
        if (conn->reset_frame)
            judge_reset(conn, seg, from);
        else if (conn->end[from].state == TL_ST_CLOSED)
            sender_after_undone_rst(conn, seg, from);
        on_segment(conn, seg, from, probe, v);
    }

    count_probes(conn, from, probe);
    if (!(seg->flags & (TL_SYN | TL_RST)))
        conn->end[from].zero_window = seg->win == 0;
    if (!(seg->flags & TL_RST)) {
        conn->win[from] = seg->win;
        conn->win_unscaled = (conn->win_unscaled & ~(1u << from)) | (unsigned)!!(seg->flags & TL_SYN) << from;
    }
    if (seg->has_ts) {
        conn->end[from].last_tsval = seg->tsval;
        conn->end[from].has_tsval = true;
    }
    v->state[TL_CLIENT] = conn->end[TL_CLIENT].state;
    v->state[TL_SERVER] = conn->end[TL_SERVER].state;

    bool plain_event = v->event == TL_EV_DATA || v->event == TL_EV_ACK || v->event == TL_EV_DATA_AFTER_FIN;
    bool changed = before[0] != v->state[0] || before[1] != v->state[1];
    if (plain_event && !v->findings && !v->ack_checked && !changed) {
        if (seg->len && !probe && gap) {
            gap->segs[from]++;
            gap->bytes[from] += conn->end[from].bytes - bytes_before;
        }
        return TL_STEP_PLAIN;
    }
    return TL_STEP_KEEP;
}

void tl_conn_keep(tl_conn *conn, uint32_t index)
{
    tl_verdict *kept = tl_store_at(index);
    if (!kept)
        return;
    kept->prev = conn->last;
    conn->last = index;
}

const tl_verdict *tl_conn_newest(const tl_conn *conn)
{
    return tl_stored(conn->last);
}

const tl_verdict *tl_verdict_prev(const tl_verdict *v)
{
    return tl_stored(v->prev);
}

const tl_verdict *tl_conn_verdict_at(const tl_conn *conn, uint32_t frame)
{
    const tl_verdict *k = tl_conn_newest(conn);
    while (k && k->frame > frame)
        k = tl_verdict_prev(k);
    return k;
}

uint32_t tl_verdict_ack_expected(const tl_conn *conn, const tl_verdict *v)
{
    if (!v->ack_checked)
        return 0;
    const tl_end *peer = &conn->end[!v->sender];
    return (v->ack_of_fin ? peer->fin_seq : peer->isn) + 1;
}

int64_t tl_verdict_backoff(const tl_verdict *v)
{
    bool syn = v->event == TL_EV_SYN_RETRANS || v->event == TL_EV_SYNACK_RETRANS;
    if (!syn && v->event != TL_EV_FIN_RETRANS)
        return 0;
    for (const tl_verdict *k = tl_verdict_prev(v); k; k = tl_verdict_prev(k)) {
        if (k->sender == v->sender && (syn ? is_syn_copy(k) : is_fin_copy(k)))
            return v->ts - k->ts;
    }
    return 0;
}

tl_close_type tl_conn_close_type(const tl_conn *conn)
{
    bool both_acked = conn->end[TL_CLIENT].fin_acked && conn->end[TL_SERVER].fin_acked;
    if (conn->reset_frame && !(conn->reset_kind == TL_RESET_AFTER_CLOSE))
        return TL_CLOSE_RESET;
    if (!conn->fin_frame)
        return TL_CLOSE_NONE;
    if (!both_acked)
        return TL_CLOSE_INCOMPLETE;
    if (conn->simul_close)
        return TL_CLOSE_SIMULTANEOUS;
    return conn->merged ? TL_CLOSE_THREE_WAY : TL_CLOSE_FOUR_WAY;
}

tl_initiator tl_conn_close_initiator(const tl_conn *conn)
{
    if (tl_conn_close_type(conn) == TL_CLOSE_RESET)
        return conn->reset_sender == TL_CLIENT ? TL_INITIATOR_CLIENT : TL_INITIATOR_SERVER;
    if (!conn->fin_frame)
        return TL_INITIATOR_NONE;
    if (conn->simul_close)
        return TL_INITIATOR_BOTH;
    return conn->first_closer == TL_CLIENT ? TL_INITIATOR_CLIENT : TL_INITIATOR_SERVER;
}

/* The end of prev whose 2MSL started last, or NULL. */
static const tl_end *time_waiter(const tl_conn *prev)
{
    const tl_end *waiter = NULL;
    for (int i = 0; i < 2; i++) {
        const tl_end *e = &prev->end[i];
        if (e->tw_frame && (!waiter || e->tw_ts > waiter->tw_ts))
            waiter = e;
    }
    return waiter;
}

int64_t tl_conn_reuse_after(const tl_conn *conn, const tl_conn *prev)
{
    const tl_end *waiter = time_waiter(prev);
    return waiter ? conn->first_ts - waiter->tw_ts : 0;
}

void tl_conn_follow(tl_conn *conn, const tl_conn *prev, bool prev_a_is_sender, const tl_segment *seg)
{
    tl_role old_role = prev_a_is_sender == prev->a_is_client ? TL_CLIENT : TL_SERVER;
    const tl_end *old = &prev->end[old_role];
    const tl_end *waiter = time_waiter(prev);

    conn->has_prev = true;
    conn->prev_id = prev->id;
    if (!waiter)
        return;
    conn->reuse_in_2msl = seg->ts - waiter->tw_ts <= time_wait_ns;
    /* RFC 6191: safe when the new ISN is above the old sequence space, or the
     * new timestamp above the old one in the same direction. */
    conn->reuse_safe = (old->nxt_known && SEQ_GT(seg->seq, old->nxt))
                       || (seg->has_ts && old->has_tsval && tl_seq_diff(seg->tsval, old->last_tsval) > 0);
}

bool tl_conn_icmp_error(tl_conn *conn, const tl_segment *quoted, uint8_t type, uint8_t code, bool v6)
{
    if (!conn->started)
        return false;
    const tl_end *x = &conn->end[sender_of(conn, quoted)];
    /* The reset's RST was dropped on the way (a source quench drops nothing):
     * its receiver never had it. Of RSTs with one seq, the oldest. */
    const tl_verdict *before;
    tl_verdict *rst = (quoted->flags & TL_RST) && !(type == 4 && !v6) ? reset_rst(conn, &before) : NULL;
    bool dropped = rst && rst->seq == quoted->seq && rst->sender == sender_of(conn, quoted)
                   && conn->end[!rst->sender].state == TL_ST_CLOSED && is_synchronized(before->state[!rst->sender]);
    /* Up to nxt itself: a RST or a bare ACK carries the next sequence number.
     * Distances from the ISN, unsigned: an end may send more than 2 GiB. A
     * RST the capture holds was sent, whatever its seq. */
    bool sent;
    if (dropped)
        sent = true;
    else if (x->isn_known && x->nxt_known)
        sent = quoted->seq - x->isn <= x->nxt - x->isn;
    else if (x->nxt_known)
        sent = !SEQ_GT(quoted->seq, x->nxt);    /* picked up mid-stream: no lower bound */
    else
        sent = false;                           /* that end sent nothing we saw */
    if (sent && !conn->icmp_frame) {
        conn->icmp_frame = quoted->frame;
        conn->icmp_type = type;
        conn->icmp_code = code;
        conn->icmp_v6 = v6;
    }
    if (dropped)
        revive_receiver(conn, rst, before, INT64_MIN, TL_FIND_RST_DROPPED);
    return sent;
}

unsigned tl_conn_time_wait_ends(const tl_conn *conn)
{
    return (conn->end[TL_CLIENT].tw_frame ? 1u : 0u) | (conn->end[TL_SERVER].tw_frame ? 2u : 0u);
}

tl_handshake_outcome tl_conn_handshake_outcome(const tl_conn *conn)
{
    if (conn->complete)
        return TL_HS_COMPLETE;
    if (conn->refused)
        return TL_HS_REFUSED;
    if (conn->hs_wrong_ack)
        return TL_HS_WRONG_ACK;
    if (conn->missing)
        return TL_HS_MISSING;
    /* The client's own ACK can prove a SYN-ACK the capture lacks. */
    if (conn->syn_frame && !conn->synack_frame && !conn->reset_frame && !conn->end[TL_CLIENT].syn_acked)
        return conn->icmp_frame ? TL_HS_ICMP_ERROR : TL_HS_UNANSWERED;
    return TL_HS_INCOMPLETE;
}

