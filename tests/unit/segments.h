/* segments.h — scripted segment sequences for the engine unit tests.
 *
 * A script is one connection between a client (port 40000) and a server
 * (port 80) plus what the glue would hold: a stored copy (tl_store) of every
 * verdict for which tl_conn_step returned TL_STEP_KEEP, linked with tl_conn_keep, so
 * that later amendments of kept verdicts can be checked, and the plain data
 * counted after each (tl_gap).
 *
 * Frames are numbered from 1 in sending order; each segment is sent
 * script.step ns after the previous one (1 ms unless a test waits longer).
 * tx() fills in seq and ack the way a well-behaved end would: seq is the
 * sender's next sequence number (its ISN for a SYN) and ack covers everything
 * the peer has sent so far.
 */
#ifndef TCPLIFE_TEST_SEGMENTS_H
#define TCPLIFE_TEST_SEGMENTS_H

#include <glib.h>

#include "lifecycle.h"

#define CLIENT_PORT 40000
#define SERVER_PORT 80
#define CLIENT_ISN  1000u
#define SERVER_ISN  5000u
#define START_TS    INT64_C(1000000000)     /* first segment at 1 s */
#define MS          INT64_C(1000000)
#define SEC         INT64_C(1000000000)
#define WRAP_CLIENT_ISN  0xfffffff0u
#define WRAP_SERVER_ISN  0xfffffffeu
#define WRAP_CLIENT_DATA 14u

typedef struct {
    tl_conn        conn;
    tl_verdict     v;           /* verdict of the last step */
    tl_step_result result;      /* what the last step returned */
    GPtrArray     *kept;        /* the glue's copies of kept verdicts */
    tl_segment     last_sent[2];/* per role, for resend() */
    uint32_t       isn[2];      /* per role */
    uint32_t       snd_nxt[2];  /* one past the highest sequence number each role sent */
    uint32_t       frame;       /* frame number of the last segment */
    int64_t        now;         /* time of the next segment */
    int64_t        step;
    int            first_sender;/* role of the first segment (the engine's A), -1 before */
    tl_segment     pending;     /* the segment a TL_STEP_NEW_CONN turned away */
    tl_conn        prev;        /* the previous incarnation, after next_conn() */
} script;

typedef void (*script_test_fn)(script *s);

/* g_test_init plus non-fatal assertions, so one failing case does not hide the others. */
void script_test_init(int *argc, char ***argv);
/* Registers fn to run on a fresh script with the default ISNs. */
void script_test_add(const char *path, script_test_fn fn);

/* Before the first segment: use other ISNs (wrap-around tests). */
void script_set_isn(script *s, uint32_t client_isn, uint32_t server_isn);
void wait_ns(script *s, int64_t ns);

/* A segment from `from` at the script's current time and next frame. */
tl_segment seg_make(const script *s, tl_role from, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len);
/* Steps seg through the connection as the glue does; returns the verdict. */
const tl_verdict *tx_seg(script *s, const tl_segment *seg);
const tl_verdict *tx_raw(script *s, tl_role from, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len);
/* Automatic seq; ack covers all the peer sent. */
const tl_verdict *tx(script *s, tl_role from, uint8_t flags, uint32_t len);
/* Automatic seq, explicit ack (crossing FINs, wrong ACKs). */
const tl_verdict *tx_ack(script *s, tl_role from, uint8_t flags, uint32_t ack, uint32_t len);
/* After TL_STEP_NEW_CONN, as the glue does: a fresh tl_conn following the
 * old one (tl_conn_follow), stepped with the turned-away segment. */
const tl_verdict *next_conn(script *s);
/* The last segment of `from` again, as a new frame. */
const tl_verdict *resend(script *s, tl_role from);
/* An ICMP error (v4) as the next frame, quoting a segment `from` sent with
 * this seq and flags; returns tl_conn_icmp_error's answer. */
bool icmp_error(script *s, tl_role from, uint32_t seq, uint8_t flags, uint8_t type, uint8_t code);

uint32_t next_seq(const script *s, tl_role who);
/* The kept copy of frame's verdict, or NULL when it was not kept. */
const tl_verdict *kept_verdict(const script *s, uint32_t frame);
/* The plain data counted after frame's kept verdict (tl_gap), or NULL. */
const tl_gap *kept_gap(const script *s, uint32_t frame);

/* Shared sequences. */
void open_conn(script *s);                          /* frames 1-3: SYN, SYN-ACK, ACK */
const tl_verdict *send_fin(script *s, tl_role closer);  /* FIN+ACK with ack of all the peer sent */
/* open_conn() with ISNs just below 2^32, then client data so that both
 * FINs will sit on 0xffffffff and their ACKs wrap to 0 (frames 1-5). */
void open_conn_near_wrap(script *s);
void close_four_way(script *s, tl_role closer);     /* FIN, ACK, FIN, ACK */
void close_three_way(script *s, tl_role closer);    /* FIN, FIN+ACK, ACK */
/* A FIN from `who` acknowledging all the peer sent except the peer's FIN. */
const tl_verdict *send_crossing_fin(script *s, tl_role who);
/* Crossing FINs, client first: neither acknowledges the other. */
void close_crossing(script *s);

const char *state_name(unsigned state);
const char *event_name(unsigned event);
const char *close_type_name(unsigned type);
const char *reset_kind_name(unsigned kind);
const char *initiator_name(unsigned initiator);
const char *step_name(unsigned result);

/* Comparisons by name, so a failure says what it saw. */
#define assert_event(v, ev) \
    g_assert_cmpstr(event_name((v)->event), ==, event_name(ev))
#define assert_states(v, client_st, server_st) do { \
        g_assert_cmpstr(state_name((v)->state[TL_CLIENT]), ==, state_name(client_st)); \
        g_assert_cmpstr(state_name((v)->state[TL_SERVER]), ==, state_name(server_st)); \
    } while (0)
#define assert_finding(v, bit) \
    g_assert_cmphex((v)->findings & (bit), ==, (bit))
#define assert_no_finding(v, bit) \
    g_assert_cmphex((v)->findings & (bit), ==, 0)
#define assert_step(s, expected) \
    g_assert_cmpstr(step_name((s)->result), ==, step_name(expected))
#define assert_close_type(s, type) \
    g_assert_cmpstr(close_type_name(tl_conn_close_type(&(s)->conn)), ==, close_type_name(type))
#define assert_initiator(s, who) \
    g_assert_cmpstr(initiator_name(tl_conn_close_initiator(&(s)->conn)), ==, initiator_name(who))
#define assert_reset_kind(s, kind) \
    g_assert_cmpstr(reset_kind_name((s)->conn.reset_kind), ==, reset_kind_name(kind))
/* Backoff is read through the chain, so from the kept copy of v. */
#define assert_backoff(s, v, expected) do { \
        const tl_verdict *kept_ = kept_verdict(s, (v)->frame); \
        g_assert_nonnull(kept_); \
        if (kept_) \
            g_assert_cmpint(tl_verdict_backoff(kept_), ==, (expected)); \
    } while (0)
/* An ACK number the engine checked, with the value it expected. */
#define assert_ack_ok(s, v, expected) do { \
        g_assert_true((v)->ack_checked); \
        g_assert_cmphex(tl_verdict_ack_expected(&(s)->conn, v), ==, (expected)); \
        g_assert_false((v)->ack_wrong); \
    } while (0)
#define assert_ack_wrong(s, v, expected) do { \
        g_assert_true((v)->ack_checked); \
        g_assert_cmphex(tl_verdict_ack_expected(&(s)->conn, v), ==, (expected)); \
        g_assert_true((v)->ack_wrong); \
        assert_finding(v, TL_FIND_WRONG_ACK); \
    } while (0)

#endif /* TCPLIFE_TEST_SEGMENTS_H */
