/* segments.c — scripted segment sequences for the engine unit tests (see segments.h). */
#include "segments.h"

#include <string.h>

typedef struct {
    script_test_fn fn;
} script_case;

/* A kept verdict (its stored copy) and the plain data after it, as the glue keeps them. */
typedef struct {
    uint32_t index;             /* in the engine's store */
    tl_gap   gap;
} kept_copy;

static void script_setup(gpointer fixture, gconstpointer data G_GNUC_UNUSED)
{
    script *s = fixture;
    memset(s, 0, sizeof *s);
    tl_store_clear();
    tl_conn_init(&s->conn, 0);
    s->kept = g_ptr_array_new_with_free_func(g_free);
    s->now = START_TS;
    s->step = MS;
    s->first_sender = -1;
    script_set_isn(s, CLIENT_ISN, SERVER_ISN);
}

static void script_teardown(gpointer fixture, gconstpointer data G_GNUC_UNUSED)
{
    script *s = fixture;
    g_ptr_array_unref(s->kept);
    tl_store_clear();
}

static void script_run(gpointer fixture, gconstpointer data)
{
    const script_case *c = data;
    c->fn(fixture);
}

void script_test_init(int *argc, char ***argv)
{
    g_test_init(argc, argv, NULL);
    g_test_set_nonfatal_assertions();
}

void script_test_add(const char *path, script_test_fn fn)
{
    /* Lives as long as the test program. */
    script_case *c = g_new(script_case, 1);
    c->fn = fn;
    g_test_add_vtable(path, sizeof(script), c, script_setup, script_run, script_teardown);
}

void script_set_isn(script *s, uint32_t client_isn, uint32_t server_isn)
{
    s->isn[TL_CLIENT] = s->snd_nxt[TL_CLIENT] = client_isn;
    s->isn[TL_SERVER] = s->snd_nxt[TL_SERVER] = server_isn;
}

void wait_ns(script *s, int64_t ns)
{
    s->now += ns;
}

tl_segment seg_make(const script *s, tl_role from, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    tl_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.ts = s->now;
    seg.frame = s->frame + 1;
    seg.seq = seq;
    seg.ack = (flags & TL_ACK) ? ack : 0;
    seg.len = len;
    seg.sport = from == TL_CLIENT ? CLIENT_PORT : SERVER_PORT;
    seg.dport = from == TL_CLIENT ? SERVER_PORT : CLIENT_PORT;
    seg.flags = flags;
    seg.wscale = -1;
    seg.win = 65535;
    seg.from_a = s->first_sender < 0 || (int)from == s->first_sender;
    return seg;
}

static tl_role role_of(script *s, const tl_segment *seg)
{
    if (s->first_sender < 0)
        s->first_sender = seg->sport == SERVER_PORT && seg->dport != SERVER_PORT ? TL_SERVER : TL_CLIENT;
    return seg->from_a ? (tl_role)s->first_sender : (tl_role)!s->first_sender;
}

/* What a sender's sequence space covers after seg (SYN and FIN take one each). */
static void track(script *s, tl_role from, const tl_segment *seg)
{
    uint32_t end = seg->seq + seg->len + ((seg->flags & TL_SYN) ? 1 : 0) + ((seg->flags & TL_FIN) ? 1 : 0);
    if (tl_seq_diff(end, s->snd_nxt[from]) > 0)
        s->snd_nxt[from] = end;
    s->last_sent[from] = *seg;
}

/* Like the glue: a verdict the engine asks to keep gets a long-lived copy. */
static void keep_if_asked(script *s)
{
    if (s->result != TL_STEP_KEEP)
        return;
    kept_copy *copy = g_new0(kept_copy, 1);
    copy->index = tl_store(&s->v);
    g_ptr_array_add(s->kept, copy);
    tl_conn_keep(&s->conn, copy->index);
}

/* Where plain data goes: after the newest kept verdict. */
static tl_gap *open_gap(script *s)
{
    return s->kept->len ? &((kept_copy *)g_ptr_array_index(s->kept, s->kept->len - 1))->gap : NULL;
}

const tl_verdict *tx_seg(script *s, const tl_segment *seg)
{
    tl_role from = role_of(s, seg);
    s->frame = seg->frame;
    s->now = seg->ts + s->step;
    s->result = tl_conn_step(&s->conn, seg, &s->v, open_gap(s));
    if (s->result == TL_STEP_NEW_CONN) {
        s->pending = *seg;
        return &s->v;
    }
    track(s, from, seg);
    keep_if_asked(s);
    return &s->v;
}

const tl_verdict *next_conn(script *s)
{
    tl_segment seg = s->pending;
    tl_role from = role_of(s, &seg);
    bool prev_a_is_sender = (int)from == s->first_sender;

    s->prev = s->conn;
    tl_conn_init(&s->conn, s->prev.id + 1);
    if (seg.flags & TL_SYN)
        tl_conn_follow(&s->conn, &s->prev, prev_a_is_sender, &seg);
    s->first_sender = from;
    seg.from_a = true;
    s->result = tl_conn_step(&s->conn, &seg, &s->v, open_gap(s));
    track(s, from, &seg);
    keep_if_asked(s);
    return &s->v;
}

const tl_verdict *tx_raw(script *s, tl_role from, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    tl_segment seg = seg_make(s, from, flags, seq, ack, len);
    return tx_seg(s, &seg);
}

const tl_verdict *tx_ack(script *s, tl_role from, uint8_t flags, uint32_t ack, uint32_t len)
{
    /* Every copy of a SYN or SYN-ACK carries the ISN. */
    uint32_t seq = (flags & TL_SYN) ? s->isn[from] : next_seq(s, from);
    return tx_raw(s, from, flags, seq, ack, len);
}

const tl_verdict *tx(script *s, tl_role from, uint8_t flags, uint32_t len)
{
    return tx_ack(s, from, flags, s->snd_nxt[!from], len);
}

const tl_verdict *resend(script *s, tl_role from)
{
    tl_segment seg = s->last_sent[from];
    seg.ts = s->now;
    seg.frame = s->frame + 1;
    return tx_seg(s, &seg);
}

bool icmp_error(script *s, tl_role from, uint32_t seq, uint8_t flags, uint8_t type, uint8_t code)
{
    tl_segment quoted = seg_make(s, from, flags, seq, 0, 0);
    s->frame = quoted.frame;
    s->now = quoted.ts + s->step;
    return tl_conn_icmp_error(&s->conn, &quoted, type, code, false);
}

uint32_t next_seq(const script *s, tl_role who)
{
    return s->snd_nxt[who];
}

static const kept_copy *kept_copy_of(const script *s, uint32_t frame)
{
    for (guint i = 0; i < s->kept->len; i++) {
        const kept_copy *k = g_ptr_array_index(s->kept, i);
        if (tl_stored(k->index)->frame == frame)
            return k;
    }
    return NULL;
}

const tl_verdict *kept_verdict(const script *s, uint32_t frame)
{
    const kept_copy *k = kept_copy_of(s, frame);
    return k ? tl_stored(k->index) : NULL;
}

const tl_gap *kept_gap(const script *s, uint32_t frame)
{
    const kept_copy *k = kept_copy_of(s, frame);
    return k ? &k->gap : NULL;
}

void open_conn(script *s)
{
    tx(s, TL_CLIENT, TL_SYN, 0);
    tx(s, TL_SERVER, TL_SYN | TL_ACK, 0);
    tx(s, TL_CLIENT, TL_ACK, 0);
}

const tl_verdict *send_fin(script *s, tl_role closer)
{
    return tx(s, closer, TL_FIN | TL_ACK, 0);
}

void close_four_way(script *s, tl_role closer)
{
    send_fin(s, closer);
    tx(s, (tl_role)!closer, TL_ACK, 0);
    send_fin(s, (tl_role)!closer);
    tx(s, closer, TL_ACK, 0);
}

void close_three_way(script *s, tl_role closer)
{
    send_fin(s, closer);
    send_fin(s, (tl_role)!closer);
    tx(s, closer, TL_ACK, 0);
}

void open_conn_near_wrap(script *s)
{
    script_set_isn(s, WRAP_CLIENT_ISN, WRAP_SERVER_ISN);
    open_conn(s);
    tx(s, TL_CLIENT, TL_PSH | TL_ACK, WRAP_CLIENT_DATA);
    tx(s, TL_SERVER, TL_ACK, 0);
}

const tl_verdict *send_crossing_fin(script *s, tl_role who)
{
    /* Sent before the peer's FIN arrived: acknowledges everything but it. */
    return tx_ack(s, who, TL_FIN | TL_ACK, next_seq(s, (tl_role)!who) - 1, 0);
}

void close_crossing(script *s)
{
    send_fin(s, TL_CLIENT);
    send_crossing_fin(s, TL_SERVER);
}

const char *state_name(unsigned state)
{
    static const char *const names[TL_ST_COUNT] = {
        "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
        "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"
    };
    return state < TL_ST_COUNT ? names[state] : "?";
}

const char *event_name(unsigned event)
{
    static const char *const names[TL_EV_COUNT] = {
        "none", "SYN", "SYN retransmission", "SYN-ACK", "SYN-ACK retransmission",
        "handshake ACK", "data", "ACK", "RST", "FIN", "FIN retransmission", "ACK of FIN",
        "FIN+ACK", "final ACK", "data after FIN"
    };
    return event < TL_EV_COUNT ? names[event] : "?";
}

const char *close_type_name(unsigned type)
{
    static const char *const names[] = {
        "none", "four-way", "three-way", "simultaneous", "reset", "incomplete"
    };
    return type < G_N_ELEMENTS(names) ? names[type] : "?";
}

const char *reset_kind_name(unsigned kind)
{
    static const char *const names[] = { "none", "refused", "abort", "during close", "after close" };
    return kind < G_N_ELEMENTS(names) ? names[kind] : "?";
}

const char *initiator_name(unsigned initiator)
{
    static const char *const names[] = { "none", "client", "server", "both" };
    return initiator < G_N_ELEMENTS(names) ? names[initiator] : "?";
}

const char *step_name(unsigned result)
{
    static const char *const names[] = { "PLAIN", "KEEP", "NEW_CONN" };
    return result < G_N_ELEMENTS(names) ? names[result] : "?";
}
