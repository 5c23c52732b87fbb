/* lifecycle.h — the TCP connection lifecycle engine.
 *
 * Pure C11: no Wireshark and no GLib, so it can be unit-tested and fuzzed alone.
 * The caller feeds one segment at a time (tl_conn_step) and gets back a verdict
 * for that packet; the connection record (tl_conn) accumulates the stream summary.
 * Semantics of every value: docs/semantics.md.
 */
#ifndef TCPLIFE_LIFECYCLE_H
#define TCPLIFE_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

/* TCP flag bits as they sit in the header's 13th byte. */
enum {
    TL_FIN = 0x01,
    TL_SYN = 0x02,
    TL_RST = 0x04,
    TL_PSH = 0x08,
    TL_ACK = 0x10,
    TL_URG = 0x20,
    TL_ECE = 0x40,
    TL_CWR = 0x80
};

typedef enum {
    TL_CLIENT = 0,      /* the end that sent the first SYN */
    TL_SERVER = 1
} tl_role;

/* RFC 9293 states, named as netstat names them. */
typedef enum {
    TL_ST_CLOSED = 0,
    TL_ST_LISTEN,
    TL_ST_SYN_SENT,
    TL_ST_SYN_RECEIVED,
    TL_ST_ESTABLISHED,
    TL_ST_FIN_WAIT_1,
    TL_ST_FIN_WAIT_2,
    TL_ST_CLOSE_WAIT,
    TL_ST_CLOSING,
    TL_ST_LAST_ACK,
    TL_ST_TIME_WAIT,
    TL_ST_COUNT
} tl_state;

/* What a packet is in the connection's life. */
typedef enum {
    TL_EV_NONE = 0,
    TL_EV_SYN,
    TL_EV_SYN_RETRANS,
    TL_EV_SYNACK,
    TL_EV_SYNACK_RETRANS,
    TL_EV_HANDSHAKE_ACK,
    TL_EV_DATA,
    TL_EV_ACK,
    TL_EV_RST,
    TL_EV_FIN,
    TL_EV_FIN_RETRANS,
    TL_EV_ACK_OF_FIN,
    TL_EV_FIN_ACK,          /* FIN merged with the first ACK of the peer's FIN */
    TL_EV_FINAL_ACK,
    TL_EV_DATA_AFTER_FIN,
    TL_EV_COUNT
} tl_event;

/* Findings: one bit each, tied 1:1 to an expert info in the glue. */
enum {
    TL_FIND_SYN_RETRANS     = 1u << 0,
    TL_FIND_REFUSED         = 1u << 1,
    TL_FIND_SIMUL_OPEN      = 1u << 2,
    TL_FIND_NO_HANDSHAKE    = 1u << 3,
    TL_FIND_WRONG_ACK       = 1u << 4,
    TL_FIND_BAD_FLAGS       = 1u << 5,
    TL_FIND_MERGED_FIN_ACK  = 1u << 6,
    TL_FIND_SIMUL_CLOSE     = 1u << 7,
    TL_FIND_HALF_CLOSE      = 1u << 8,
    TL_FIND_ABORT           = 1u << 9,
    TL_FIND_FIN_RETRANS     = 1u << 10,
    TL_FIND_TW_REUSE        = 1u << 11,   /* new incarnation inside the old one's 2MSL */
    TL_FIND_TW_REUSE_UNSAFE = 1u << 12,   /* ... with neither ISN nor timestamp above the old (RFC 6191) */
    TL_FIND_TW_FIN_RETRANS  = 1u << 13,   /* peer re-sent its FIN while this end waits in TIME_WAIT */
    TL_FIND_TW_REACK        = 1u << 14,   /* the TIME_WAIT end acknowledged the re-sent FIN */
    TL_FIND_LATE_SEGMENT    = 1u << 15,   /* payload or FIN of a connection already over */
    TL_FIND_TW_ASSASSINATION = 1u << 16,  /* RST received in TIME_WAIT (RFC 1337) */
    TL_FIND_KEEPALIVE_TIMEOUT = 1u << 17, /* the first RST, after its sender's unanswered keep-alive probes */
    TL_FIND_STALE           = 1u << 18,   /* the first RST answers a keep-alive probe as a TCP with no such connection */
    TL_FIND_SYNACK_AFTER_HS = 1u << 19,   /* the server re-sent its SYN-ACK after the handshake ACK */
    TL_FIND_RST_IGNORED     = 1u << 20,   /* a RST its receiver's TCP does not take: no state changes */
    TL_FIND_RST_WENT_ON     = 1u << 21,   /* qualifies RST_IGNORED: known by the receiver going on after it */
    TL_FIND_RST_INJECTED    = 1u << 22,   /* its named sender went on after it: that TCP did not send it */
    TL_FIND_RST_DROPPED     = 1u << 23    /* qualifies RST_IGNORED: an ICMP error quoting it says it was dropped */
};
/* Bits that only qualify another finding: no expert info of their own. */
#define TL_FIND_QUALIFIERS (TL_FIND_TW_REUSE_UNSAFE | TL_FIND_RST_WENT_ON | TL_FIND_RST_DROPPED)

typedef enum {
    TL_CLOSE_NONE = 0,      /* no FIN or RST seen */
    TL_CLOSE_FOUR_WAY,
    TL_CLOSE_THREE_WAY,     /* the second FIN rode on the ACK of the first */
    TL_CLOSE_SIMULTANEOUS,  /* the FINs crossed */
    TL_CLOSE_RESET,
    TL_CLOSE_INCOMPLETE,    /* a FIN, but the exchange did not finish in the capture */
    TL_CLOSE_COUNT
} tl_close_type;

typedef enum {
    TL_HS_COMPLETE = 0,     /* SYN, SYN-ACK and ACK, all with the right ACK numbers */
    TL_HS_REFUSED,          /* the SYN was answered by a RST */
    TL_HS_UNANSWERED,       /* SYN(s) and nothing back */
    TL_HS_WRONG_ACK,        /* a SYN-ACK or handshake ACK carried a wrong ACK number */
    TL_HS_MISSING,          /* picked up mid-stream */
    TL_HS_INCOMPLETE,       /* anything else: no final ACK, SYN-ACK without SYN, reset during */
    TL_HS_ICMP_ERROR,       /* SYN(s), no SYN-ACK or RST, but an ICMP error quoting the connection */
    TL_HS_COUNT
} tl_handshake_outcome;

typedef enum {
    TL_RESET_NONE = 0,
    TL_RESET_REFUSED,       /* RST answering a SYN */
    TL_RESET_ABORT,         /* no FIN seen before it */
    TL_RESET_DURING_CLOSE,
    TL_RESET_AFTER_CLOSE
} tl_reset_kind;

typedef enum {
    TL_INITIATOR_NONE = 0,
    TL_INITIATOR_CLIENT,
    TL_INITIATOR_SERVER,
    TL_INITIATOR_BOTH,
    TL_INITIATOR_COUNT
} tl_initiator;

/* One TCP segment as the glue extracted it. Times are nanoseconds. */
typedef struct {
    int64_t  ts;
    uint32_t frame;
    uint32_t seq;           /* raw */
    uint32_t ack;           /* raw, meaningful when TL_ACK is set */
    uint32_t len;           /* payload bytes */
    uint32_t tsval;         /* timestamp option, when has_ts */
    uint32_t tsecr;
    uint16_t sport;
    uint16_t dport;
    uint16_t win;           /* window field, unscaled */
    uint16_t mss;           /* MSS option, 0 when absent */
    uint8_t  flags;         /* TL_* bits */
    int8_t   wscale;        /* window scale shift, 0..14 as tl_parse_tcp_header caps it (RFC 7323), -1 when absent */
    bool     sack_perm;
    bool     has_ts;
    bool     from_a;        /* sent by A, the sender of the connection's first segment */
} tl_segment;

/* Connection ids as a verdict holds them: tl_conn_init takes ids below 2^27
 * (134 million connections in one capture). */
#define TL_CONN_ID_BITS 27
/* A verdict's copy number saturates here (a SYN flood re-using one ISN). */
#define TL_ATTEMPT_MAX  4095

/* The per-packet verdict. Kept verdicts are stored (tl_store) and form a
 * chain (newest first) so that packets that change nothing can take their
 * states from the last kept one. One is kept per lifecycle packet for the
 * whole capture: the small fields are bit-fields, the chain a store index. */
typedef struct tl_verdict {
    int64_t  ts;
    uint32_t prev;          /* store index of the connection's previous kept verdict, 0: none */
    uint32_t seq;           /* the segment's raw numbers, for ladders */
    uint32_t len;
    uint32_t frame;
    uint32_t ack_got;       /* the segment's raw ACK number */
    unsigned conn_id : TL_CONN_ID_BITS;     /* the caller's id of the connection */
    unsigned sender : 1;    /* tl_role */
    unsigned event : 4;     /* tl_event */
    unsigned findings : 24; /* TL_FIND_* */
    unsigned flags : 8;     /* TL_* bits of the segment */
    uint16_t attempt : 12;  /* 1-based copy number of a SYN, SYN-ACK or FIN, up to TL_ATTEMPT_MAX */
    bool     ack_checked : 1;
    bool     ack_of_fin : 1;    /* checked against the peer's FIN, not its SYN */
    bool     ack_wrong : 1;
    bool     ack_corrects : 1;  /* carries the right ACK a wrong one of its sender lacked */
    uint8_t  state[2];      /* tl_state of client and server after this packet */
} tl_verdict;

/* One end of the connection. */
typedef struct {
    uint64_t bytes;         /* payload sequence space covered */
    int64_t  fin_ts;        /* first FIN copy */
    int64_t  tw_ts;         /* where this end's 2MSL clock started */
    uint32_t tw_frame;      /* ... and in which frame, 0 if never in TIME_WAIT */
    uint32_t isn;
    uint32_t nxt;           /* one past the highest sequence number sent */
    uint32_t max_ack;       /* highest ACK sent */
    uint32_t fin_seq;       /* sequence number the FIN occupies */
    uint32_t last_tsval;    /* newest timestamp option value sent */
    uint32_t wrong_ack_frame;   /* a wrong ACK still waiting for its fix */
    uint16_t mss;
    uint16_t syn_copies;    /* bare SYN copies */
    uint16_t synack_copies;
    uint16_t fin_copies;
    int8_t   wscale;
    uint8_t  state;         /* tl_state */
    bool     isn_known : 1;
    bool     nxt_known : 1;
    bool     acked_any : 1;
    bool     syn_acked : 1;     /* the peer acknowledged isn + 1 */
    bool     fin_sent : 1;
    bool     fin_acked : 1;
    bool     sack_perm : 1;
    bool     ts_ok : 1;
    bool     syn_data : 1;
    bool     has_tsval : 1;
    bool     reack_due : 1;     /* in TIME_WAIT, the peer re-sent its FIN */
    bool     zero_window : 1;   /* its latest segment (not SYN or RST) advertised a zero window */
} tl_end;

/* One per connection for the whole capture: no padding, flags as bits. */
typedef struct {
    tl_end      end[2];     /* TL_CLIENT, TL_SERVER */
    int64_t  first_ts, last_ts;
    /* Karn's rule needs the SYN copies' TSvals only up to the first SYN-ACK,
     * which starts the handshake's legs: they share the space. */
    union {
        struct {
            uint32_t syn_tsval[2];      /* of each end's last SYN copy */
            uint32_t prev_syn_tsval;    /* of the copy before the last re-sent one */
        } karn;                         /* while !synack_frame */
        struct {
            int64_t syn_leg;            /* answered SYN -> first SYN-ACK */
            int64_t ack_leg;            /* first SYN-ACK -> handshake ACK, when hs_ack_frame */
        } legs;                         /* once synack_frame */
    };
    uint32_t prev_id;       /* previous incarnation of the 4-tuple, when has_prev */
    uint32_t id;            /* the caller's id, copied into every verdict */
    uint32_t last;          /* store index of the newest kept verdict, 0: none */
    uint32_t syn_frame, synack_frame, hs_ack_frame;
    uint32_t fin_frame, fin_ack_frame, second_fin_frame, last_ack_frame, reset_frame;
    uint32_t data_first_frame, data_last_frame;
    uint32_t half_close_bytes;
    uint32_t icmp_frame;    /* first ICMP error quoting a segment the connection sent */
    uint8_t  icmp_type, icmp_code;
    uint16_t win[2];        /* each end's latest window field (not a RST's), raw; 0 before */
    unsigned first_closer : 1;          /* tl_role, valid when fin_frame */
    unsigned reset_sender : 1;          /* tl_role, valid when reset_frame */
    unsigned reset_kind : 3;            /* tl_reset_kind */
    unsigned passive_prev_state : 4;    /* the second closer's tl_state before the first FIN */
    unsigned reset_probes : 4;          /* unanswered keep-alive probes (two or more) the first RST's
                                           sender sent just before it: a keep-alive timeout (saturates at 15) */
    unsigned probe_run : 4;             /* keep-alive probes probe_sender sent in a row, nothing else
                                           from either end in between (saturates at 15) */
    unsigned probe_sender : 1;          /* tl_role */
    unsigned win_unscaled : 2;          /* a bit per end: its win came from a SYN, never scaled (RFC 7323) */
    bool     stale : 1;                 /* the first RST said its sender had no such connection */
    bool     started : 1;
    bool     a_is_client : 1;
    bool     role_guessed : 1;
    bool     missing : 1;       /* no SYN and no SYN-ACK: picked up mid-stream */
    bool     complete : 1;
    bool     refused : 1;
    bool     simul_open : 1;
    bool     simul_close : 1;
    bool     fin_behind_gap : 1;    /* in it, the first FIN had arrived behind missing data */
    bool     merged : 1;
    bool     half_close : 1;
    bool     hs_wrong_ack : 1;
    bool     has_prev : 1;
    bool     reuse_in_2msl : 1;
    bool     reuse_safe : 1;
    bool     answered_first : 1;    /* the first SYN-ACK answers the first SYN: connect time = rtt */
    bool     icmp_v6 : 1;           /* icmp_type and icmp_code are ICMPv6's */
} tl_conn;

typedef enum {
    TL_STEP_PLAIN,          /* nothing notable: the caller may drop the verdict */
    TL_STEP_KEEP,           /* keep the verdict and hand it to tl_conn_keep() */
    TL_STEP_NEW_CONN        /* the segment opens a new connection on the same stream:
                               start a fresh tl_conn and step it there */
} tl_step_result;

/* id: the caller's, below 2^TL_CONN_ID_BITS; copied into every verdict. */
void tl_conn_init(tl_conn *conn, uint32_t id);

/* The 2MSL (TIME_WAIT period) in ns that every connection is judged with:
 * one setting, not a copy in each record; Linux's fixed 60 s unless set.
 * Set it before the first step of a capture: a connection stepped under one
 * value and drawn under another would contradict itself. */
void tl_set_time_wait(int64_t ns);
int64_t tl_time_wait(void);

/* The plain data between two kept packets, per end (tl_role): what a ladder
 * draws as one line. Only a caller that draws ladders keeps these, and only
 * after the kept packets that plain data followed. */
typedef struct {
    uint64_t bytes[2];      /* new sequence space covered: a re-sent segment adds none */
    uint32_t segs[2];       /* segments with payload */
} tl_gap;

/* Advance the connection by one segment; fills *v for this packet. When the
 * step is TL_STEP_PLAIN and the segment carries payload, it is added to *gap
 * (may be NULL). */
tl_step_result tl_conn_step(tl_conn *conn, const tl_segment *seg, tl_verdict *v, tl_gap *gap);

/* Before the first step of a connection whose 4-tuple was used before:
 * judge the reuse against the previous incarnation (RFC 6191). prev_a_is_sender
 * says whether the previous incarnation's A end is the end sending seg. */
void tl_conn_follow(tl_conn *conn, const tl_conn *prev, bool prev_a_is_sender, const tl_segment *seg);

/* When the connection followed prev on its 4-tuple (has_prev) and an end of
 * prev entered TIME_WAIT: ns from the newest 2MSL start to the first segment. */
int64_t tl_conn_reuse_after(const tl_conn *conn, const tl_conn *prev);

/* An ICMP (v6: ICMPv6) error of type and code, in quoted->frame, quoting the
 * start of a segment of the connection: quoted has its seq, its flags and
 * from_a. No state changes (the stacks differ: Linux aborts a SYN_SENT
 * connection, others retry), except that an error quoting the RST that reset
 * the connection shows it was dropped on the way: its receiver is back in its
 * state before it. True for that RST, and when the quoted seq lies between
 * that end's ISN and its next sequence number (inclusive; without a known
 * ISN, at most the next), as a stack checks before it believes an error (RFC
 * 5927); an end that sent nothing seen has sent no quoted segment. The first
 * such error is recorded (icmp_*). */
bool tl_conn_icmp_error(tl_conn *conn, const tl_segment *quoted, uint8_t type, uint8_t code, bool v6);

/* Which ends entered TIME_WAIT: bit 0 client, bit 1 server. */
unsigned tl_conn_time_wait_ends(const tl_conn *conn);

/* The store of kept verdicts: one per capture, for the whole capture. A
 * verdict is copied in and named by its 1-based index from then on (0: full);
 * it never moves. Indices follow the order of storing. */
uint32_t tl_store(const tl_verdict *v);
const tl_verdict *tl_stored(uint32_t index);    /* NULL for 0 or an index not given out */
uint32_t tl_stored_count(void);
void tl_store_clear(void);                      /* forget them all (a new capture) */

/* Link the stored copy (index) of the verdict the last step returned into
 * the connection's chain. The first step of a connection is always kept. */
void tl_conn_keep(tl_conn *conn, uint32_t index);

/* The connection's newest kept verdict, and a kept verdict's predecessor in
 * its chain; NULL at the end. */
const tl_verdict *tl_conn_newest(const tl_conn *conn);
const tl_verdict *tl_verdict_prev(const tl_verdict *v);

/* The frame a wrong ACK was corrected by (v->ack_wrong) or the frame of the
 * wrong ACK v corrects (v->ack_corrects); 0 when there is none. */
uint32_t tl_verdict_ack_link(const tl_verdict *v);

/* The newest kept verdict at or before frame, or NULL: a walk of the chain
 * from its newest end. */
const tl_verdict *tl_conn_verdict_at(const tl_conn *conn, uint32_t frame);

/* Finds the kept verdict of a frame the connection recorded (syn_frame,
 * fin_ack_frame, ...). The caller owns the kept copies: one that indexes
 * them by frame draws every packet in constant time, however long the chain;
 * tl_conn_verdict_at always does. */
typedef const tl_verdict *(*tl_kept_finder)(const tl_conn *conn, uint32_t frame);

/* For a re-sent SYN, SYN-ACK or FIN: ns since the sender's previous copy,
 * found through the chain of a kept verdict (0 for other packets). */
int64_t tl_verdict_backoff(const tl_verdict *v);

/* The raw ACK number v should have carried, when ack_checked (else 0). */
uint32_t tl_verdict_ack_expected(const tl_conn *conn, const tl_verdict *v);

/* Stream summary, as far as the connection has been stepped. */
tl_close_type tl_conn_close_type(const tl_conn *conn);
tl_initiator tl_conn_close_initiator(const tl_conn *conn);
tl_handshake_outcome tl_conn_handshake_outcome(const tl_conn *conn);

/* The handshake's times, each valid only when its flag says so. */
typedef struct {
    int64_t syn_to_synack;  /* answered SYN -> first SYN-ACK */
    int64_t synack_to_ack;  /* first SYN-ACK -> handshake ACK */
    int64_t rtt;            /* answered SYN -> handshake ACK */
    int64_t connect_time;   /* first SYN -> handshake ACK */
    bool    has_syn_leg;
    bool    has_ack_leg;
    bool    has_rtt;        /* both legs: also connect_time */
} tl_handshake_times;

void tl_conn_handshake_times(const tl_conn *conn, tl_kept_finder find, tl_handshake_times *times);

/* The close's times, each valid only when its flag says so. */
typedef struct {
    int64_t duration;       /* first FIN -> last ACK */
    int64_t close_wait;     /* first FIN -> second FIN */
    int64_t fin_wait_2;     /* ACK of the first FIN -> second FIN */
    bool    has_duration;
    bool    has_close_wait;
    bool    has_fin_wait_2;
} tl_close_times;

void tl_conn_close_times(const tl_conn *conn, tl_kept_finder find, tl_close_times *times);

/* Wrap-safe sequence comparison: a - b as a signed distance. */
static inline int32_t tl_seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

#endif /* TCPLIFE_LIFECYCLE_H */
