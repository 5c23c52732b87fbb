/* packet-tcplife.c — the TCPLIFE post-dissector: registration, the first-pass
 * analysis hand-off to the engine, and the tree, expert and column output
 * drawn identically on every pass. */
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/tap.h>

#include "packet-tcplife.h"
#include "conn-store.h"
#include "names.h"
#include "tcplife-tap.h"
#include "tcp-layers.h"
#include "lifecycle.h"

static int proto_tcplife = -1;
static int tcplife_tap = -1;
static dissector_handle_t tcplife_handle;

/* 2MSL in seconds: Linux holds TIME_WAIT for a fixed 60 s. */
static guint pref_time_wait = 60;
static gboolean pref_summary_every_packet = TRUE;

static int hf_stream = -1;
static int hf_sender = -1;
static int hf_event = -1;
static int hf_client_state = -1;
static int hf_server_state = -1;
static int hf_role_guessed = -1;
static int hf_duration = -1;

static int hf_hs = -1;
static int hf_hs_syn_frame = -1;
static int hf_hs_synack_frame = -1;
static int hf_hs_ack_frame = -1;
static int hf_hs_complete = -1;
static int hf_hs_rtt = -1;
static int hf_hs_syn_to_synack = -1;
static int hf_hs_synack_to_ack = -1;
static int hf_hs_connect_time = -1;
static int hf_hs_client_isn = -1;
static int hf_hs_server_isn = -1;
static int hf_hs_client_mss = -1;
static int hf_hs_server_mss = -1;
static int hf_hs_client_wscale = -1;
static int hf_hs_server_wscale = -1;
static int hf_hs_sack_permitted = -1;
static int hf_hs_timestamps = -1;
static int hf_hs_syn_data = -1;
static int hf_hs_syn_retransmissions = -1;
static int hf_hs_attempt = -1;
static int hf_hs_backoff = -1;
static int hf_hs_simultaneous_open = -1;
static int hf_hs_refused = -1;
static int hf_hs_missing = -1;

static int hf_ack = -1;
static int hf_ack_expected = -1;
static int hf_ack_wrong = -1;
static int hf_ack_corrected_by = -1;
static int hf_ack_corrects = -1;

static int hf_close = -1;
static int hf_close_initiator = -1;
static int hf_close_type = -1;
static int hf_close_fin_frame = -1;
static int hf_close_fin_ack_frame = -1;
static int hf_close_second_fin_frame = -1;
static int hf_close_last_ack_frame = -1;
static int hf_close_reset_frame = -1;
static int hf_close_merged_fin_ack = -1;
static int hf_close_duration = -1;
static int hf_close_close_wait = -1;
static int hf_close_fin_wait_2 = -1;
static int hf_close_half_close = -1;
static int hf_close_half_close_bytes = -1;
static int hf_close_reset_kind = -1;
static int hf_close_keepalive_probes = -1;
static int hf_close_stale = -1;
static int hf_close_attempt = -1;
static int hf_close_backoff = -1;

static int hf_tw = -1;
static int hf_tw_side = -1;
static int hf_tw_start_frame = -1;
static int hf_tw_expires = -1;
static int hf_tw_remaining = -1;
static int hf_tw_reuse = -1;
static int hf_tw_reuse_after = -1;
static int hf_tw_previous_stream = -1;
static int hf_tw_reuse_safe = -1;
static int hf_tw_fin_retransmission = -1;
static int hf_tw_reacked = -1;
static int hf_tw_late_segment = -1;
static int hf_tw_assassination = -1;

static int hf_icmp = -1;
static int hf_icmp_stream = -1;
static int hf_icmp_sender = -1;
static int hf_icmp_in_window = -1;
static int hf_icmp_frame = -1;
static int hf_icmp_type = -1;
static int hf_icmp_code = -1;
static int hf_icmp_text = -1;

static int hf_data = -1;
static int hf_data_first_frame = -1;
static int hf_data_last_frame = -1;
static int hf_data_client_bytes = -1;
static int hf_data_server_bytes = -1;

static gint ett_tcplife = -1;
static gint ett_handshake = -1;
static gint ett_ack = -1;
static gint ett_close = -1;
static gint ett_data = -1;
static gint ett_timewait = -1;
static gint ett_icmp = -1;

static expert_field ei_syn_retransmission = EI_INIT;
static expert_field ei_refused = EI_INIT;
static expert_field ei_simultaneous_open = EI_INIT;
static expert_field ei_no_handshake = EI_INIT;
static expert_field ei_wrong_ack = EI_INIT;
static expert_field ei_bad_flags = EI_INIT;
static expert_field ei_merged_fin_ack = EI_INIT;
static expert_field ei_simultaneous_close = EI_INIT;
static expert_field ei_half_close = EI_INIT;
static expert_field ei_abort = EI_INIT;
static expert_field ei_keepalive_timeout = EI_INIT;
static expert_field ei_stale_connection = EI_INIT;
static expert_field ei_synack_after_handshake = EI_INIT;
static expert_field ei_fin_retransmission = EI_INIT;
static expert_field ei_timewait_reuse_unsafe = EI_INIT;
static expert_field ei_timewait_reuse_safe = EI_INIT;
static expert_field ei_timewait_fin_retransmission = EI_INIT;
static expert_field ei_late_segment = EI_INIT;
static expert_field ei_timewait_assassination = EI_INIT;
static expert_field ei_rst_ignored = EI_INIT;
static expert_field ei_rst_injected = EI_INIT;
static expert_field ei_icmp_error = EI_INIT;
static expert_field ei_icmp_error_unsent = EI_INIT;

/* ---- first pass: feed the engine, store what later passes need ---- */

/* What a frame shows. */
typedef struct {
    frame_kind        kind;
    gboolean          from_server;  /* plain and ICMP: the (quoted) packet's sender */
    guint32           index;        /* KEPT: its first stored verdict */
    const tl_verdict *newest;       /* plain and ICMP: its connection's newest kept verdict */
} frame_view;

static frame_kind plain_kind(tl_event event)
{
    switch (event) {
    case TL_EV_DATA:           return FRAME_KIND_DATA;
    case TL_EV_DATA_AFTER_FIN: return FRAME_KIND_DATA_AFTER_FIN;
    default:                   return FRAME_KIND_ACK;
    }
}

/* A plain packet's kind as a later pass derives it: from its payload alone.
 * Not from the states before it, which a later packet may amend (crossing
 * FINs rewrite CLOSE_WAIT): the first pass notes every frame where the engine
 * said otherwise, i.e. every plain data after FIN. */
static frame_kind derived_kind(const tl_segment *seg)
{
    return seg->len ? FRAME_KIND_DATA : FRAME_KIND_ACK;
}

/* Step one segment through its connection; returns the connection or NULL. */
static conn_rec *step_segment(tcp_layer *layer, tl_verdict *v, tl_gap *gap, tl_step_result *result)
{
    tl_segment *seg = &layer->seg;
    conn_rec *rec = conn_store_current(layer->tcp_stream);
    if (rec) {
        seg->from_a = conn_store_from_a(rec, &layer->src, seg->sport);
        *result = tl_conn_step(&rec->conn, seg, v, gap);
        if (*result != TL_STEP_NEW_CONN)
            return rec;
    }
    conn_rec *prev;
    rec = conn_store_open(layer->tcp_stream, &layer->src, seg->sport, &layer->dst, seg->dport, &prev);
    if (!rec)
        return NULL;
    if (prev && (seg->flags & TL_SYN))
        tl_conn_follow(&rec->conn, &prev->conn, prev->a_idx == rec->a_idx, seg);
    seg->from_a = TRUE;
    *result = tl_conn_step(&rec->conn, seg, v, gap);
    return rec;
}

/* An ICMP error quoting a segment: noted on its connection, no state changes. */
static void analyse_quote(packet_info *pinfo, const tcp_quoted *quoted, frame_view *view)
{
    tcp_quote q;
    if (!tcp_layers_read_quote(pinfo, quoted, &q))
        return;
    conn_rec *rec = conn_store_current(q.layer.tcp_stream);
    if (!rec || !rec->conn.last)
        return;
    tl_segment *seg = &q.layer.seg;
    seg->from_a = conn_store_from_a(rec, &q.layer.src, seg->sport);
    gboolean sent = tl_conn_icmp_error(&rec->conn, seg, q.type, q.code, q.v6);
    view->kind = sent ? FRAME_KIND_ICMP_ERROR : FRAME_KIND_ICMP_ERROR_UNSENT;
    view->from_server = seg->from_a != rec->conn.a_is_client;
    view->newest = tl_conn_newest(&rec->conn);
    conn_store_note_frame(pinfo->num, FRAME_CODE(view->kind, view->from_server, rec->conn.last));
}

static void analyse_frame(packet_info *pinfo, frame_view *view)
{
    tcp_layer layers[TCP_LAYERS_MAX];
    tcp_quoted quoted;
    guint n = tcp_layers_read(pinfo, layers, G_N_ELEMENTS(layers), &quoted);

    if (n == 0) {
        if (quoted.layer)
            analyse_quote(pinfo, &quoted, view);
        return;
    }

    gboolean room = conn_store_has_room(n);
    for (guint i = 0; room && i < n; i++) {
        tl_verdict v;
        tl_gap gap = { { 0, 0 }, { 0, 0 } };
        tl_step_result result;
        conn_rec *rec = step_segment(&layers[i], &v, &gap, &result);
        if (!rec)
            continue;
        if ((gap.segs[0] || gap.segs[1]) && rec->conn.last)
            conn_store_add_gap(rec, &gap);
        if (result == TL_STEP_PLAIN && n == 1) {
            view->kind = plain_kind((tl_event)v.event);
            view->from_server = v.sender == TL_SERVER;
            view->newest = tl_conn_newest(&rec->conn);
            if (view->kind != derived_kind(&layers[i].seg))
                conn_store_note_frame(pinfo->num, FRAME_CODE(view->kind, view->from_server, rec->conn.last));
            return;
        }
        /* With several TCP layers every layer's verdict is stored, in a run. */
        guint32 index = conn_store_add_verdict(&v);
        if (!index)
            continue;
        if (result == TL_STEP_KEEP)
            tl_conn_keep(&rec->conn, index);
        if (view->kind == FRAME_KIND_NONE) {
            view->kind = FRAME_KIND_KEPT;
            view->index = index;
        }
    }
    /* A segment that could not be analysed: a later pass must not take it
     * for a plain packet of its stream. */
    if (n == 1 && view->kind == FRAME_KIND_NONE)
        conn_store_note_frame(pinfo->num, FRAME_CODE(FRAME_KIND_NONE, 0, 0));
}

/* A later pass: the frame's stored verdicts, its note, or for a plain packet
 * its connection's newest kept verdict before it, found from the packet. */
static void recall_frame(packet_info *pinfo, gboolean derive, frame_view *view)
{
    guint32 code;
    if ((view->index = conn_store_first_verdict(pinfo->num))) {
        view->kind = FRAME_KIND_KEPT;
    } else if (conn_store_frame_note(pinfo->num, &code)) {
        view->kind = FRAME_CODE_KIND(code);
        view->from_server = FRAME_CODE_FROM_SERVER(code);
        view->newest = conn_store_verdict(FRAME_CODE_HIGH(code));
    } else if (derive) {
        /* Only a frame of one TCP layer can be plain. */
        tcp_layer layers[TCP_LAYERS_MAX];
        tcp_quoted quoted;
        conn_rec *rec;
        if (tcp_layers_read(pinfo, layers, G_N_ELEMENTS(layers), &quoted) != 1
            || !(rec = conn_store_at(layers[0].tcp_stream, pinfo->num, &view->newest)))
            return;
        gboolean from_a = conn_store_from_a(rec, &layers[0].src, layers[0].seg.sport);
        tl_role sender = from_a == rec->conn.a_is_client ? TL_CLIENT : TL_SERVER;
        view->kind = derived_kind(&layers[0].seg);
        view->from_server = sender == TL_SERVER;
        conn_store_remember(pinfo->num, rec);
    }
}

/* ---- every pass: draw the stored verdict ---- */

/* Relative and absolute times alike: a nanosecond count as nstime_t
 * (a negative count gives both parts negative, as nstime expects). */
static void add_time(proto_tree *tree, int hf, tvbuff_t *tvb, gint64 ns)
{
    nstime_t t;
    t.secs = (time_t)(ns / 1000000000);
    t.nsecs = (int)(ns % 1000000000);
    proto_item_set_generated(proto_tree_add_time(tree, hf, tvb, 0, 0, &t));
}

static proto_item *add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item *item = proto_tree_add_uint(tree, hf, tvb, 0, 0, value);
    proto_item_set_generated(item);
    return item;
}

/* Enumerations are string fields, so that -T fields prints the words. */
static void add_str(proto_tree *tree, int hf, tvbuff_t *tvb, const char *name)
{
    proto_item_set_generated(proto_tree_add_string(tree, hf, tvb, 0, 0, name));
}

static void add_frame(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 frame)
{
    if (frame)
        add_uint(tree, hf, tvb, frame);
}

static void add_bool(proto_tree *tree, int hf, tvbuff_t *tvb, gboolean value)
{
    proto_item_set_generated(proto_tree_add_boolean(tree, hf, tvb, 0, 0, value));
}

/* A generated FT_NONE item and the subtree under it. */
static proto_tree *add_subtree(proto_tree *tree, int hf, gint ett, tvbuff_t *tvb)
{
    proto_item *ti = proto_tree_add_item(tree, hf, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(ti);
    return proto_item_add_subtree(ti, ett);
}

static void add_copy(proto_tree *tree, int hf_attempt, int hf_backoff, tvbuff_t *tvb, const tl_verdict *v)
{
    if (v->attempt < 2)
        return;
    add_uint(tree, hf_attempt, tvb, v->attempt);
    add_time(tree, hf_backoff, tvb, tl_verdict_backoff(v));
}

static void show_handshake(proto_tree *tree, tvbuff_t *tvb, const tl_conn *c, const tl_verdict *v)
{
    const tl_end *cl = &c->end[TL_CLIENT];
    const tl_end *sv = &c->end[TL_SERVER];
    if (!c->syn_frame && !c->synack_frame && !c->missing && !c->simul_open)
        return;
    proto_tree *t = add_subtree(tree, hf_hs, ett_handshake, tvb);

    add_frame(t, hf_hs_syn_frame, tvb, c->syn_frame);
    add_frame(t, hf_hs_synack_frame, tvb, c->synack_frame);
    add_frame(t, hf_hs_ack_frame, tvb, c->hs_ack_frame);
    add_bool(t, hf_hs_complete, tvb, c->complete);
    /* Each leg as soon as both its ends are known: a scan's SYN/SYN-ACK still measures one. */
    tl_handshake_times times;
    tl_conn_handshake_times(c, conn_store_find_kept, &times);
    if (times.has_syn_leg)
        add_time(t, hf_hs_syn_to_synack, tvb, times.syn_to_synack);
    if (times.has_ack_leg)
        add_time(t, hf_hs_synack_to_ack, tvb, times.synack_to_ack);
    if (times.has_rtt) {
        add_time(t, hf_hs_rtt, tvb, times.rtt);
        add_time(t, hf_hs_connect_time, tvb, times.connect_time);
    }
    if (cl->isn_known && c->syn_frame)
        add_uint(t, hf_hs_client_isn, tvb, cl->isn);
    if (sv->isn_known)
        add_uint(t, hf_hs_server_isn, tvb, sv->isn);
    if (cl->mss)
        add_uint(t, hf_hs_client_mss, tvb, cl->mss);
    if (sv->mss)
        add_uint(t, hf_hs_server_mss, tvb, sv->mss);
    if (cl->wscale >= 0)
        add_uint(t, hf_hs_client_wscale, tvb, (guint32)cl->wscale);
    if (sv->wscale >= 0)
        add_uint(t, hf_hs_server_wscale, tvb, (guint32)sv->wscale);
    if (cl->isn_known && sv->isn_known) {
        add_bool(t, hf_hs_sack_permitted, tvb, cl->sack_perm && sv->sack_perm);
        add_bool(t, hf_hs_timestamps, tvb, cl->ts_ok && sv->ts_ok);
    }
    if (c->syn_frame) {
        add_bool(t, hf_hs_syn_data, tvb, cl->syn_data);
        add_uint(t, hf_hs_syn_retransmissions, tvb, cl->syn_copies ? cl->syn_copies - 1u : 0u);
    }
    if (v->event == TL_EV_SYN_RETRANS || v->event == TL_EV_SYNACK_RETRANS)
        add_copy(t, hf_hs_attempt, hf_hs_backoff, tvb, v);
    if (c->simul_open)
        add_bool(t, hf_hs_simultaneous_open, tvb, TRUE);
    if (c->refused)
        add_bool(t, hf_hs_refused, tvb, TRUE);
    if (c->missing)
        add_bool(t, hf_hs_missing, tvb, TRUE);
}

static void show_ack(proto_tree *tree, tvbuff_t *tvb, const tl_conn *c, const tl_verdict *v)
{
    if (!v->ack_checked)
        return;
    proto_tree *t = add_subtree(tree, hf_ack, ett_ack, tvb);
    add_uint(t, hf_ack_expected, tvb, tl_verdict_ack_expected(c, v));
    add_bool(t, hf_ack_wrong, tvb, v->ack_wrong);
    guint32 link = tl_verdict_ack_link(v);
    if (link)
        add_uint(t, v->ack_corrects ? hf_ack_corrects : hf_ack_corrected_by, tvb, link);
}

static void show_close(proto_tree *tree, tvbuff_t *tvb, const tl_conn *c, const tl_verdict *v)
{
    tl_close_type type = tl_conn_close_type(c);
    proto_tree *t = add_subtree(tree, hf_close, ett_close, tvb);

    add_str(t, hf_close_type, tvb, tcplife_close_type_name(type));
    tl_initiator who = tl_conn_close_initiator(c);
    if (who != TL_INITIATOR_NONE)
        add_str(t, hf_close_initiator, tvb, tcplife_initiator_name(who));
    if (!c->fin_frame && !c->reset_frame)
        return;
    add_frame(t, hf_close_fin_frame, tvb, c->fin_frame);
    add_frame(t, hf_close_fin_ack_frame, tvb, c->fin_ack_frame);
    add_frame(t, hf_close_second_fin_frame, tvb, c->second_fin_frame);
    add_frame(t, hf_close_last_ack_frame, tvb, c->last_ack_frame);
    add_frame(t, hf_close_reset_frame, tvb, c->reset_frame);
    if (c->fin_frame) {
        add_bool(t, hf_close_merged_fin_ack, tvb, c->merged);
        add_bool(t, hf_close_half_close, tvb, c->half_close);
    }
    if (c->half_close)
        add_uint(t, hf_close_half_close_bytes, tvb, c->half_close_bytes);
    tl_close_times times;
    tl_conn_close_times(c, conn_store_find_kept, &times);
    if (times.has_duration)
        add_time(t, hf_close_duration, tvb, times.duration);
    if (times.has_close_wait)
        add_time(t, hf_close_close_wait, tvb, times.close_wait);
    if (type == TL_CLOSE_FOUR_WAY)
        add_time(t, hf_close_fin_wait_2, tvb, times.fin_wait_2);
    if (c->reset_frame)
        add_str(t, hf_close_reset_kind, tvb, tcplife_reset_kind_name(c->reset_kind));
    if (c->reset_frame && c->reset_probes)
        add_uint(t, hf_close_keepalive_probes, tvb, c->reset_probes);
    if (c->reset_kind == TL_RESET_ABORT || c->reset_kind == TL_RESET_DURING_CLOSE)
        add_bool(t, hf_close_stale, tvb, c->stale);
    if (v->event == TL_EV_FIN_RETRANS)
        add_copy(t, hf_close_attempt, hf_close_backoff, tvb, v);
}

/* How much of the 2MSL that started at tw_ts is left at this packet. */
static void add_remaining(proto_tree *tree, tvbuff_t *tvb, const packet_info *pinfo, gint64 tw_ts)
{
    gint64 now = (gint64)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs;
    add_time(tree, hf_tw_remaining, tvb, tw_ts + tl_time_wait() - now);
}

static void show_timewait(proto_tree *tree, tvbuff_t *tvb, const packet_info *pinfo, const tl_conn *c, const tl_verdict *v)
{
    unsigned ends = tl_conn_time_wait_ends(c);
    const conn_rec *prev = c->has_prev ? conn_store_get(c->prev_id) : NULL;
    if (!ends && !prev)
        return;
    proto_tree *t = add_subtree(tree, hf_tw, ett_timewait, tvb);

    if (ends)
        add_str(t, hf_tw_side, tvb, tcplife_tw_side_name(ends));
    for (int i = 0; i < 2; i++) {
        const tl_end *e = &c->end[i];
        if (!e->tw_frame)
            continue;
        add_frame(t, hf_tw_start_frame, tvb, e->tw_frame);
        add_time(t, hf_tw_expires, tvb, e->tw_ts + tl_time_wait());
        if (v->frame > e->tw_frame)
            add_remaining(t, tvb, pinfo, e->tw_ts);
    }
    if (prev) {
        add_uint(t, hf_tw_previous_stream, tvb, prev->tcp_stream);
        for (int i = 0; i < 2; i++) {
            if (prev->conn.end[i].tw_frame)
                add_remaining(t, tvb, pinfo, prev->conn.end[i].tw_ts);
        }
        if (tl_conn_time_wait_ends(&prev->conn)) {
            add_time(t, hf_tw_reuse_after, tvb, tl_conn_reuse_after(c, &prev->conn));
            if (c->reuse_in_2msl) {
                add_bool(t, hf_tw_reuse, tvb, TRUE);
                add_bool(t, hf_tw_reuse_safe, tvb, c->reuse_safe);
            }
        }
    }
    if (v->findings & TL_FIND_TW_FIN_RETRANS)
        add_bool(t, hf_tw_fin_retransmission, tvb, TRUE);
    if (v->findings & TL_FIND_TW_REACK)
        add_bool(t, hf_tw_reacked, tvb, TRUE);
    if (v->findings & TL_FIND_LATE_SEGMENT)
        add_bool(t, hf_tw_late_segment, tvb, TRUE);
    if (v->findings & TL_FIND_TW_ASSASSINATION)
        add_bool(t, hf_tw_assassination, tvb, TRUE);
}

static void show_icmp_summary(proto_tree *tree, tvbuff_t *tvb, const tl_conn *c)
{
    if (!c->icmp_frame)
        return;
    proto_tree *t = add_subtree(tree, hf_icmp, ett_icmp, tvb);
    add_frame(t, hf_icmp_frame, tvb, c->icmp_frame);
    add_uint(t, hf_icmp_type, tvb, c->icmp_type);
    add_uint(t, hf_icmp_code, tvb, c->icmp_code);
    add_str(t, hf_icmp_text, tvb, tcplife_icmp_error_name(c->icmp_v6, c->icmp_type, c->icmp_code));
}

static void show_data(proto_tree *tree, tvbuff_t *tvb, const tl_conn *c)
{
    proto_tree *t = add_subtree(tree, hf_data, ett_data, tvb);
    add_frame(t, hf_data_first_frame, tvb, c->data_first_frame);
    add_frame(t, hf_data_last_frame, tvb, c->data_last_frame);
    proto_item_set_generated(proto_tree_add_uint64(t, hf_data_client_bytes, tvb, 0, 0, c->end[TL_CLIENT].bytes));
    proto_item_set_generated(proto_tree_add_uint64(t, hf_data_server_bytes, tvb, 0, 0, c->end[TL_SERVER].bytes));
}

typedef struct {
    guint32        finding;
    expert_field  *ei;
    const char    *tag;     /* Info column */
} finding_output;

static const finding_output finding_outputs[] = {
    { TL_FIND_SYN_RETRANS,      &ei_syn_retransmission,          "SYN retry" },
    { TL_FIND_SYNACK_AFTER_HS,  &ei_synack_after_handshake,      "SYN-ACK after handshake ACK" },
    { TL_FIND_REFUSED,          &ei_refused,                     "Refused" },
    { TL_FIND_SIMUL_OPEN,       &ei_simultaneous_open,           "Simultaneous open" },
    { TL_FIND_NO_HANDSHAKE,     &ei_no_handshake,                "No handshake" },
    { TL_FIND_WRONG_ACK,        &ei_wrong_ack,                   "Wrong ACK" },
    { TL_FIND_BAD_FLAGS,        &ei_bad_flags,                   "Bad flags" },
    { TL_FIND_MERGED_FIN_ACK,   &ei_merged_fin_ack,              "FIN+ACK: three-way close" },
    { TL_FIND_SIMUL_CLOSE,      &ei_simultaneous_close,          "Simultaneous close" },
    { TL_FIND_HALF_CLOSE,       &ei_half_close,                  "Half-close" },
    { TL_FIND_ABORT,            &ei_abort,                       "Abort" },
    { TL_FIND_KEEPALIVE_TIMEOUT, &ei_keepalive_timeout,          "Keep-alive timeout" },
    { TL_FIND_STALE,            &ei_stale_connection,            "Stale connection" },
    { TL_FIND_RST_IGNORED,      &ei_rst_ignored,                 "RST ignored" },
    { TL_FIND_RST_INJECTED,     &ei_rst_injected,                "RST injected" },
    { TL_FIND_FIN_RETRANS,      &ei_fin_retransmission,          "FIN retransmission" },
    { TL_FIND_TW_REUSE,         &ei_timewait_reuse_safe,         "TIME_WAIT reuse" },
    { TL_FIND_TW_FIN_RETRANS,   &ei_timewait_fin_retransmission, "FIN retransmission in TIME_WAIT" },
    { TL_FIND_LATE_SEGMENT,     &ei_late_segment,                "Late segment" },
    { TL_FIND_TW_ASSASSINATION, &ei_timewait_assassination,      "TIME_WAIT assassination" },
};

void tcplife_append_finding_names(GString *out, guint32 findings)
{
    static const char prefix[] = "tcplife.analysis.";
    for (size_t i = 0; i < G_N_ELEMENTS(finding_outputs); i++) {
        if (!(findings & finding_outputs[i].finding))
            continue;
        const char *abbrev = proto_registrar_get_abbrev(finding_outputs[i].ei->hf);
        if (out->len)
            g_string_append_c(out, ' ');
        g_string_append(out, g_str_has_prefix(abbrev, prefix) ? abbrev + strlen(prefix) : abbrev);
    }
}

static void show_rst_ignored(packet_info *pinfo, proto_item *item, const tl_verdict *v, const tl_conn *c)
{
    tl_role to = (tl_role)!v->sender;
    const char *name = tcplife_role_name(to);
    if (v->findings & TL_FIND_RST_DROPPED)
        expert_add_info_format(pinfo, item, &ei_rst_ignored,
                               "RST ignored: an ICMP error quoting it says it was dropped on the way, so the %s"
                               " never had it", name);
    else if (v->findings & TL_FIND_RST_WENT_ON)
        expert_add_info_format(pinfo, item, &ei_rst_ignored,
                               "RST ignored: the %s went on sending after it had arrived, so its TCP did not take it"
                               " (RFC 5961 takes only a RST at exactly the next sequence number; or it was lost on"
                               " the way)", name);
    else if (v->state[to] != TL_ST_SYN_SENT)
        expert_add_info_format(pinfo, item, &ei_rst_ignored,
                               "RST ignored: seq %u lies outside every receive window the %s can have, so its TCP"
                               " drops it and nothing changes (a late RST, or one the peer did not send)", v->seq, name);
    else
        expert_add_info_format(pinfo, item, &ei_rst_ignored,
                               "RST ignored: its ACK field does not acknowledge the %s's SYN (%u, expected %u%s), so"
                               " the %s stays in SYN_SENT", name, v->ack_got, c->end[to].isn + 1,
                               c->end[to].syn_data ? " or up to the SYN's data" : "", name);
}

static void show_findings(packet_info *pinfo, proto_item *item, const tl_verdict *v, const tl_conn *c)
{
    for (size_t i = 0; i < G_N_ELEMENTS(finding_outputs); i++) {
        const finding_output *out = &finding_outputs[i];
        if (!(v->findings & out->finding))
            continue;
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, " ", "[%s]", out->tag);
        switch (out->finding) {
        case TL_FIND_SYN_RETRANS:
        case TL_FIND_FIN_RETRANS:
            expert_add_info_format(pinfo, item, out->ei, "%s retransmission: attempt %u, %.3f s after the previous copy",
                                   out->finding == TL_FIND_SYN_RETRANS ? "SYN" : "FIN", v->attempt, tl_verdict_backoff(v) / 1e9);
            break;
        case TL_FIND_WRONG_ACK:
            expert_add_info_format(pinfo, item, out->ei, "Wrong ACK number: got %u, expected %u",
                                   v->ack_got, tl_verdict_ack_expected(c, v));
            break;
        case TL_FIND_TW_REUSE:
            /* One name, two severities: unsafe reuse (RFC 6191) is a warning. */
            expert_add_info_format(pinfo, item,
                                   (v->findings & TL_FIND_TW_REUSE_UNSAFE) ? &ei_timewait_reuse_unsafe : out->ei,
                                   "4-tuple reused %.3f s into the previous connection's TIME_WAIT (%s)",
                                   conn_store_reuse_after(c) / 1e9,
                                   c->reuse_safe ? "safe: ISN or timestamp above the old ones" :
                                                   "unsafe: neither ISN nor timestamp above the old ones");
            break;
        case TL_FIND_KEEPALIVE_TIMEOUT:
            expert_add_info_format(pinfo, item, out->ei,
                                   "Reset after %s%u unanswered keep-alive probes: the %s gave up on a silent peer",
                                   c->reset_probes == 15 ? "at least " : "", c->reset_probes,
                                   tcplife_role_name(c->reset_sender));
            break;
        case TL_FIND_SIMUL_CLOSE:
            if (c->fin_behind_gap)
                expert_add_info_format(pinfo, item, out->ei,
                                       "Simultaneous close: the %s's FIN had arrived, but behind missing data, so this"
                                       " FIN left before the %s took it in (the FINs did not cross)",
                                       tcplife_role_name(c->first_closer), tcplife_role_name(v->sender));
            else
                expert_add_info(pinfo, item, out->ei);
            break;
        case TL_FIND_STALE:
            expert_add_info_format(pinfo, item, out->ei,
                                   "Keep-alive probe answered by a bare RST: the %s's host, or a middlebox for it,"
                                   " did not know the connection (%s)", tcplife_role_name(c->reset_sender),
                                   c->reset_kind == TL_RESET_DURING_CLOSE ? "its FIN_WAIT_2 timed out, restart, state timeout"
                                                                          : "restart, state timeout, lost RST");
            break;
        case TL_FIND_RST_IGNORED:
            show_rst_ignored(pinfo, item, v, c);
            break;
        case TL_FIND_RST_INJECTED:
            expert_add_info_format(pinfo, item, out->ei,
                                   "RST not sent by the %s's TCP: the %s went on sending after it (a TCP that aborts"
                                   " sends nothing more), so a middlebox or an attacker sent it in its name",
                                   tcplife_role_name(v->sender), tcplife_role_name(v->sender));
            break;
        default:
            expert_add_info(pinfo, item, out->ei);
            break;
        }
    }
}

/* summary: add the connection's handshake, close, data and TIME_WAIT subtrees. */
static void show_tree(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, const conn_rec *rec, const tl_verdict *v,
                      gboolean summary)
{
    const tl_conn *c = &rec->conn;

    add_uint(t, hf_stream, tvb, rec->tcp_stream);
    add_str(t, hf_sender, tvb, tcplife_role_name(v->sender));
    add_str(t, hf_event, tvb, tcplife_event_name(v->event));
    add_str(t, hf_client_state, tvb, tcplife_state_name(v->state[TL_CLIENT]));
    add_str(t, hf_server_state, tvb, tcplife_state_name(v->state[TL_SERVER]));
    if (c->role_guessed)
        add_bool(t, hf_role_guessed, tvb, TRUE);
    if (!summary)
        return;
    show_handshake(t, tvb, c, v);
    show_ack(t, tvb, c, v);
    show_close(t, tvb, c, v);
    show_data(t, tvb, c);
    show_icmp_summary(t, tvb, c);
    add_time(t, hf_duration, tvb, c->last_ts - c->first_ts);
    show_timewait(t, tvb, pinfo, c, v);
}

/* The -z views and the stats tree follow connections through their packets. */
static void queue_tap(packet_info *pinfo, const conn_rec *rec)
{
    if (!have_tap_listener(tcplife_tap))
        return;
    tcplife_tap_info *info = wmem_new(pinfo->pool, tcplife_tap_info);
    info->rec = rec;
    tap_queue_packet(tcplife_tap, pinfo, info);
}

static void show_verdict(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const tl_verdict *v, gboolean summary)
{
    const conn_rec *rec = conn_store_get(v->conn_id);
    if (!rec)
        return;
    const tl_conn *c = &rec->conn;
    proto_item *ti = NULL;
    if (tree) {
        /* The summary appended to the name: one formatting, where
         * proto_tree_add_protocol_format formats the value and the label
         * apart (-T fields keeps a visible tree: every packet pays it). */
        ti = proto_tree_add_item(tree, proto_tcplife, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(ti);
        proto_item_append_text(ti, ": %s, client %s, server %s", tcplife_event_name(v->event),
                               tcplife_state_name(v->state[TL_CLIENT]), tcplife_state_name(v->state[TL_SERVER]));
        show_tree(proto_item_add_subtree(ti, ett_tcplife), tvb, pinfo, rec, v, summary);
    }
    show_findings(pinfo, ti, v, c);
    queue_tap(pinfo, rec);
}

/* An ICMP error frame: which connection's segment it quotes. No lifecycle
 * fields: the quoted header is no packet of the connection. */
static void show_icmp_error(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const frame_view *view)
{
    const conn_rec *rec = view->newest ? conn_store_get(view->newest->conn_id) : NULL;
    if (!rec)
        return;
    gboolean sent = view->kind == FRAME_KIND_ICMP_ERROR;
    const char *sender = tcplife_role_name(view->from_server ? TL_SERVER : TL_CLIENT);
    proto_item *ti = NULL;
    if (tree) {
        ti = proto_tree_add_item(tree, proto_tcplife, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(ti);
        proto_item_append_text(ti, ": ICMP error for stream %u, quoting the %s", rec->tcp_stream, sender);
        proto_tree *t = proto_item_add_subtree(ti, ett_tcplife);
        t = add_subtree(t, hf_icmp, ett_icmp, tvb);
        add_uint(t, hf_icmp_stream, tvb, rec->tcp_stream);
        add_str(t, hf_icmp_sender, tvb, sender);
        add_bool(t, hf_icmp_in_window, tvb, sent);
    }
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, " ", "[tcplife stream %u]", rec->tcp_stream);
    if (sent)
        expert_add_info_format(pinfo, ti, &ei_icmp_error, "ICMP error for tcplife.stream %u, quoting a segment the %s sent",
                               rec->tcp_stream, sender);
    else
        expert_add_info_format(pinfo, ti, &ei_icmp_error_unsent,
                               "ICMP error for tcplife.stream %u quoting a sequence number the %s has not sent in this capture: "
                               "a stack ignores it (RFC 5927), it may be forged", rec->tcp_stream, sender);
    queue_tap(pinfo, rec);
}

static void show_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const frame_view *view)
{
    switch (view->kind) {
    case FRAME_KIND_NONE:
        return;
    case FRAME_KIND_ICMP_ERROR:
    case FRAME_KIND_ICMP_ERROR_UNSENT:
        show_icmp_error(tvb, pinfo, tree, view);
        return;
    case FRAME_KIND_KEPT: {
        const tl_verdict *v = conn_store_verdict(view->index);
        for (guint32 i = view->index; v && v->frame == pinfo->num; v = conn_store_verdict(++i))
            show_verdict(tvb, pinfo, tree, v, TRUE);
        return;
    }
    default:
        break;
    }
    const tl_verdict *v = view->newest;
    if (!v)
        return;
    /* Its states are those of the newest kept verdict before it. */
    tl_verdict plain;
    memset(&plain, 0, sizeof plain);
    plain.frame = pinfo->num;
    plain.conn_id = v->conn_id;
    plain.sender = view->from_server ? TL_SERVER : TL_CLIENT;
    plain.event = view->kind == FRAME_KIND_DATA ? TL_EV_DATA
                  : view->kind == FRAME_KIND_DATA_AFTER_FIN ? TL_EV_DATA_AFTER_FIN : TL_EV_ACK;
    plain.state[TL_CLIENT] = v->state[TL_CLIENT];
    plain.state[TL_SERVER] = v->state[TL_SERVER];
    show_verdict(tvb, pinfo, tree, &plain, pref_summary_every_packet || view->kind == FRAME_KIND_DATA_AFTER_FIN);
}

static int dissect_tcplife(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    frame_view view = { FRAME_KIND_NONE, FALSE, 0, NULL };
    /* A plain packet has no finding for the Info column: without a tree or a
     * listener there is nothing to show (plain tshark -r), and a later pass
     * need not find its connection again. */
    gboolean plain_shown = tree || have_tap_listener(tcplife_tap);
    if (!PINFO_FD_VISITED(pinfo))
        analyse_frame(pinfo, &view);
    else
        recall_frame(pinfo, plain_shown, &view);
    if (view.kind == FRAME_KIND_KEPT || view.kind == FRAME_KIND_ICMP_ERROR || view.kind == FRAME_KIND_ICMP_ERROR_UNSENT
        || plain_shown)
        show_frame(tvb, pinfo, tree, &view);
    return 0;
}

static void tcplife_init(void)
{
    /* Read at every (re)dissection start: a changed preference redissects. */
    tl_set_time_wait((gint64)pref_time_wait * 1000000000);
    conn_store_init();
    tcp_layers_forget();
}

static void tcplife_cleanup(void)
{
    conn_store_cleanup();
    tcp_layers_forget();
}

void proto_register_tcplife(void)
{
    static hf_register_info hf[] = {
        { &hf_stream, { "Stream index", "tcplife.stream", FT_UINT32, BASE_DEC, NULL, 0x0,
            "The tcp.stream this connection belongs to", HFILL } },
        { &hf_sender, { "Sender", "tcplife.sender", FT_STRING, BASE_NONE, NULL, 0x0,
            "Which end sent this packet; the client sent the first SYN", HFILL } },
        { &hf_event, { "Event", "tcplife.event", FT_STRING, BASE_NONE, NULL, 0x0,
            "What this packet is in the connection's life", HFILL } },
        { &hf_client_state, { "Client state", "tcplife.client_state", FT_STRING, BASE_NONE, NULL, 0x0,
            "The client's RFC 9293 state once this packet was sent and received", HFILL } },
        { &hf_server_state, { "Server state", "tcplife.server_state", FT_STRING, BASE_NONE, NULL, 0x0,
            "The server's RFC 9293 state once this packet was sent and received", HFILL } },
        { &hf_role_guessed, { "Roles guessed", "tcplife.role_guessed", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "No SYN or SYN-ACK seen: the end on the higher port is taken as the client", HFILL } },
        { &hf_duration, { "Connection duration", "tcplife.duration", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "First to last packet of the connection", HFILL } },

        { &hf_hs, { "Handshake", "tcplife.handshake", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_hs_syn_frame, { "SYN frame", "tcplife.handshake.syn_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, "The first SYN", HFILL } },
        { &hf_hs_synack_frame, { "SYN-ACK frame", "tcplife.handshake.synack_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "The first SYN-ACK", HFILL } },
        { &hf_hs_ack_frame, { "ACK frame", "tcplife.handshake.ack_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_ACK), 0x0, "The ACK that completed the handshake", HFILL } },
        { &hf_hs_complete, { "Complete", "tcplife.handshake.complete", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "SYN, SYN-ACK and ACK seen, all with the right ACK numbers", HFILL } },
        { &hf_hs_rtt, { "Handshake RTT", "tcplife.handshake.rtt", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "The answered SYN to the handshake ACK", HFILL } },
        { &hf_hs_syn_to_synack, { "SYN to SYN-ACK", "tcplife.handshake.syn_to_synack", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "The server-side leg seen from the capture point", HFILL } },
        { &hf_hs_synack_to_ack, { "SYN-ACK to ACK", "tcplife.handshake.synack_to_ack", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "The client-side leg seen from the capture point", HFILL } },
        { &hf_hs_connect_time, { "Connect time", "tcplife.handshake.connect_time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "First SYN to the handshake ACK, retries included", HFILL } },
        { &hf_hs_client_isn, { "Client ISN", "tcplife.handshake.client_isn", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Raw initial sequence number of the client", HFILL } },
        { &hf_hs_server_isn, { "Server ISN", "tcplife.handshake.server_isn", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Raw initial sequence number of the server", HFILL } },
        { &hf_hs_client_mss, { "Client MSS", "tcplife.handshake.client_mss", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_hs_server_mss, { "Server MSS", "tcplife.handshake.server_mss", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_hs_client_wscale, { "Client window scale", "tcplife.handshake.client_wscale", FT_UINT8, BASE_DEC, NULL, 0x0,
            "Shift count offered in the client's SYN", HFILL } },
        { &hf_hs_server_wscale, { "Server window scale", "tcplife.handshake.server_wscale", FT_UINT8, BASE_DEC, NULL, 0x0,
            "Shift count offered in the server's SYN-ACK", HFILL } },
        { &hf_hs_sack_permitted, { "SACK permitted", "tcplife.handshake.sack_permitted", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "Both ends offered SACK", HFILL } },
        { &hf_hs_timestamps, { "Timestamps", "tcplife.handshake.timestamps", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "Both ends offered TCP timestamps", HFILL } },
        { &hf_hs_syn_data, { "Data on SYN", "tcplife.handshake.syn_data", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The SYN carried payload (TCP Fast Open)", HFILL } },
        { &hf_hs_syn_retransmissions, { "SYN retransmissions", "tcplife.handshake.syn_retransmissions", FT_UINT32, BASE_DEC, NULL, 0x0,
            "SYN copies after the first", HFILL } },
        { &hf_hs_attempt, { "Attempt", "tcplife.handshake.attempt", FT_UINT16, BASE_DEC, NULL, 0x0,
            "Copy number of this SYN or SYN-ACK (the first is 1)", HFILL } },
        { &hf_hs_backoff, { "Backoff", "tcplife.handshake.backoff", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Time since the previous copy", HFILL } },
        { &hf_hs_simultaneous_open, { "Simultaneous open", "tcplife.handshake.simultaneous_open", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "Both ends sent a SYN", HFILL } },
        { &hf_hs_refused, { "Refused", "tcplife.handshake.refused", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The SYN was answered by a RST", HFILL } },
        { &hf_hs_missing, { "Missing", "tcplife.handshake.missing", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "No SYN or SYN-ACK in the capture: picked up mid-connection", HFILL } },

        { &hf_ack, { "ACK check", "tcplife.ack", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_ack_expected, { "Expected ACK", "tcplife.ack.expected", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Raw acknowledgement number this packet should carry", HFILL } },
        { &hf_ack_wrong, { "Wrong ACK", "tcplife.ack.wrong", FT_BOOLEAN, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_ack_corrected_by, { "Corrected by", "tcplife.ack.corrected_by", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_RETRANS_NEXT), 0x0, "The later packet with the right ACK number", HFILL } },
        { &hf_ack_corrects, { "Corrects", "tcplife.ack.corrects", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_RETRANS_PREV), 0x0, "The earlier packet with a wrong ACK number", HFILL } },

        { &hf_close, { "Close", "tcplife.close", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_close_initiator, { "Initiator", "tcplife.close.initiator", FT_STRING, BASE_NONE, NULL, 0x0,
            "Who closed first (sent the first FIN, or the RST)", HFILL } },
        { &hf_close_type, { "Type", "tcplife.close.type", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_close_fin_frame, { "FIN frame", "tcplife.close.fin_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "The active closer's FIN", HFILL } },
        { &hf_close_fin_ack_frame, { "ACK of FIN frame", "tcplife.close.fin_ack_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_ACK), 0x0, "The passive side's first ACK of the active FIN", HFILL } },
        { &hf_close_second_fin_frame, { "Second FIN frame", "tcplife.close.second_fin_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            NULL, HFILL } },
        { &hf_close_last_ack_frame, { "Last ACK frame", "tcplife.close.last_ack_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_ACK), 0x0, "The first ACK of the second FIN", HFILL } },
        { &hf_close_reset_frame, { "RST frame", "tcplife.close.reset_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "The first RST", HFILL } },
        { &hf_close_merged_fin_ack, { "Merged FIN+ACK", "tcplife.close.merged_fin_ack", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The second FIN rode on the ACK of the first: a three-way close", HFILL } },
        { &hf_close_duration, { "Close duration", "tcplife.close.duration", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "First FIN to the last ACK", HFILL } },
        { &hf_close_close_wait, { "CLOSE_WAIT time", "tcplife.close.close_wait", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "First FIN to the second FIN: the passive application's close latency", HFILL } },
        { &hf_close_fin_wait_2, { "FIN_WAIT_2 time", "tcplife.close.fin_wait_2", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "ACK of the first FIN to the second FIN (four-way close)", HFILL } },
        { &hf_close_half_close, { "Half-close", "tcplife.close.half_close", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The passive side sent data after the first FIN reached it", HFILL } },
        { &hf_close_half_close_bytes, { "Half-close bytes", "tcplife.close.half_close_bytes", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Payload the passive side sent after the first FIN reached it", HFILL } },
        { &hf_close_reset_kind, { "Reset kind", "tcplife.close.reset_kind", FT_STRING, BASE_NONE, NULL, 0x0,
            NULL, HFILL } },
        { &hf_close_keepalive_probes, { "Keep-alive probes before the reset", "tcplife.close.keepalive_probes", FT_UINT8, BASE_DEC, NULL, 0x0,
            "Keep-alive probes (two or more) the resetting end sent in a row, unanswered, right before its RST: a keep-alive timeout (15: 15 or more)", HFILL } },
        { &hf_close_stale, { "Stale connection", "tcplife.close.stale", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The first RST was a bare RST answering the peer's keep-alive probe with its ACK number: it came from no live socket of this connection", HFILL } },
        { &hf_close_attempt, { "FIN attempt", "tcplife.close.attempt", FT_UINT16, BASE_DEC, NULL, 0x0,
            "Copy number of this FIN (the first is 1)", HFILL } },
        { &hf_close_backoff, { "FIN backoff", "tcplife.close.backoff", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Time since the previous copy of this FIN", HFILL } },

        { &hf_tw, { "TIME_WAIT", "tcplife.timewait", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_tw_side, { "Side", "tcplife.timewait.side", FT_STRING, BASE_NONE, NULL, 0x0,
            "Who enters TIME_WAIT: client, server or both", HFILL } },
        { &hf_tw_start_frame, { "Start frame", "tcplife.timewait.start_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "Where the 2MSL clock started: the closer's final ACK (or the ACK of its FIN in a simultaneous close)", HFILL } },
        { &hf_tw_expires, { "Expires", "tcplife.timewait.expires", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_LOCAL, NULL, 0x0,
            "Start + 2MSL (preference tcplife.time_wait)", HFILL } },
        { &hf_tw_remaining, { "Remaining", "tcplife.timewait.remaining", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Time left of 2MSL at this packet; negative: already expired", HFILL } },
        { &hf_tw_reuse, { "Reuse inside 2MSL", "tcplife.timewait.reuse", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "This connection reuses the 4-tuple of one still in TIME_WAIT", HFILL } },
        { &hf_tw_reuse_after, { "Reuse after", "tcplife.timewait.reuse_after", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Time from the previous incarnation's TIME_WAIT start to this connection's SYN", HFILL } },
        { &hf_tw_previous_stream, { "Previous stream", "tcplife.timewait.previous_stream", FT_UINT32, BASE_DEC, NULL, 0x0,
            "tcplife.stream of the previous connection on this 4-tuple", HFILL } },
        { &hf_tw_reuse_safe, { "Reuse safe", "tcplife.timewait.reuse_safe", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The new ISN or timestamp is above the old incarnation's (RFC 6191)", HFILL } },
        { &hf_tw_fin_retransmission, { "FIN retransmitted in TIME_WAIT", "tcplife.timewait.fin_retransmission", FT_BOOLEAN, BASE_NONE,
            NULL, 0x0, "The passive closer re-sent its FIN: the final ACK was lost", HFILL } },
        { &hf_tw_reacked, { "Re-acknowledged", "tcplife.timewait.reacked", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The TIME_WAIT end acknowledged the re-sent FIN and restarted 2MSL", HFILL } },
        { &hf_tw_late_segment, { "Late segment", "tcplife.timewait.late_segment", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "Payload or FIN of a connection that had already closed", HFILL } },
        { &hf_tw_assassination, { "Assassination", "tcplife.timewait.assassination", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "A RST reached an end in TIME_WAIT (RFC 1337)", HFILL } },

        { &hf_data, { "Data", "tcplife.data", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_data_first_frame, { "First data frame", "tcplife.data.first_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_data_last_frame, { "Last data frame", "tcplife.data.last_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_data_client_bytes, { "Client bytes", "tcplife.data.client_bytes", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Sequence space of payload the client sent", HFILL } },
        { &hf_data_server_bytes, { "Server bytes", "tcplife.data.server_bytes", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Sequence space of payload the server sent", HFILL } },
        { &hf_icmp, { "ICMP error", "tcplife.icmp_error", FT_NONE, BASE_NONE, NULL, 0x0,
            "An ICMP or ICMPv6 error that quoted a segment of this connection", HFILL } },
        { &hf_icmp_stream, { "Stream index", "tcplife.icmp_error.stream", FT_UINT32, BASE_DEC, NULL, 0x0,
            "On the ICMP error: the tcplife.stream whose segment it quotes", HFILL } },
        { &hf_icmp_sender, { "Quoted sender", "tcplife.icmp_error.sender", FT_STRING, BASE_NONE, NULL, 0x0,
            "On the ICMP error: which end sent the quoted segment", HFILL } },
        { &hf_icmp_in_window, { "Quotes a sent segment", "tcplife.icmp_error.in_window", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "On the ICMP error: the quoted sequence number lies in what that end has sent (RFC 5927)", HFILL } },
        { &hf_icmp_frame, { "ICMP error frame", "tcplife.icmp_error.frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "The first ICMP error that quoted a segment this connection sent", HFILL } },
        { &hf_icmp_type, { "ICMP type", "tcplife.icmp_error.type", FT_UINT8, BASE_DEC, NULL, 0x0,
            "Type of that error (ICMP or ICMPv6, as the connection's IP version)", HFILL } },
        { &hf_icmp_code, { "ICMP code", "tcplife.icmp_error.code", FT_UINT8, BASE_DEC, NULL, 0x0,
            "Code of that error", HFILL } },
        { &hf_icmp_text, { "ICMP error", "tcplife.icmp_error.text", FT_STRING, BASE_NONE, NULL, 0x0,
            "That error in words, e.g. port unreachable", HFILL } },
    };

    static gint *ett[] = { &ett_tcplife, &ett_handshake, &ett_ack, &ett_close, &ett_data, &ett_timewait, &ett_icmp };

    static ei_register_info ei[] = {
        { &ei_syn_retransmission, { "tcplife.analysis.syn_retransmission", PI_SEQUENCE, PI_NOTE,
            "SYN retransmission", EXPFILL } },
        { &ei_refused, { "tcplife.analysis.refused", PI_SEQUENCE, PI_NOTE,
            "Connection refused: the SYN was answered by a RST", EXPFILL } },
        { &ei_simultaneous_open, { "tcplife.analysis.simultaneous_open", PI_SEQUENCE, PI_NOTE,
            "Simultaneous open: both ends sent a SYN", EXPFILL } },
        { &ei_no_handshake, { "tcplife.analysis.no_handshake", PI_SEQUENCE, PI_NOTE,
            "No handshake in the capture: connection picked up mid-stream, roles guessed", EXPFILL } },
        { &ei_wrong_ack, { "tcplife.analysis.wrong_ack", PI_PROTOCOL, PI_WARN,
            "Wrong ACK number", EXPFILL } },
        { &ei_bad_flags, { "tcplife.analysis.bad_flags", PI_MALFORMED, PI_WARN,
            "Illegal TCP flag combination", EXPFILL } },
        { &ei_merged_fin_ack, { "tcplife.analysis.merged_fin_ack", PI_SEQUENCE, PI_CHAT,
            "FIN merged with the ACK of the peer's FIN: three-way close", EXPFILL } },
        { &ei_simultaneous_close, { "tcplife.analysis.simultaneous_close", PI_SEQUENCE, PI_NOTE,
            "Simultaneous close: the FINs crossed", EXPFILL } },
        { &ei_half_close, { "tcplife.analysis.half_close", PI_SEQUENCE, PI_CHAT,
            "Half-close: data after the peer's FIN", EXPFILL } },
        { &ei_abort, { "tcplife.analysis.abort", PI_SEQUENCE, PI_WARN,
            "Connection aborted by a RST", EXPFILL } },
        { &ei_keepalive_timeout, { "tcplife.analysis.keepalive_timeout", PI_SEQUENCE, PI_WARN,
            "Reset after unanswered keep-alive probes: keep-alive timeout", EXPFILL } },
        { &ei_synack_after_handshake, { "tcplife.analysis.synack_after_handshake", PI_SEQUENCE, PI_NOTE,
            "SYN-ACK re-sent after the handshake ACK: the server did not get or did not take that ACK"
            " (lost on the way, TCP_DEFER_ACCEPT waiting for data, or a full accept queue)", EXPFILL } },
        { &ei_stale_connection, { "tcplife.analysis.stale_connection", PI_SEQUENCE, PI_WARN,
            "Keep-alive probe answered as by a TCP with no such connection: stale connection", EXPFILL } },
        { &ei_fin_retransmission, { "tcplife.analysis.fin_retransmission", PI_SEQUENCE, PI_NOTE,
            "FIN retransmission", EXPFILL } },
        { &ei_timewait_reuse_unsafe, { "tcplife.analysis.timewait_reuse", PI_SEQUENCE, PI_WARN,
            "4-tuple reused inside TIME_WAIT, unsafely", EXPFILL } },
        { &ei_timewait_reuse_safe, { "tcplife.analysis.timewait_reuse", PI_SEQUENCE, PI_NOTE,
            "4-tuple reused inside TIME_WAIT, safely", EXPFILL } },
        { &ei_timewait_fin_retransmission, { "tcplife.analysis.timewait_fin_retransmission", PI_SEQUENCE, PI_NOTE,
            "FIN re-sent to an end in TIME_WAIT: the final ACK was lost", EXPFILL } },
        { &ei_late_segment, { "tcplife.analysis.late_segment", PI_SEQUENCE, PI_WARN,
            "Segment of a connection that had already closed", EXPFILL } },
        { &ei_timewait_assassination, { "tcplife.analysis.timewait_assassination", PI_SEQUENCE, PI_WARN,
            "RST received in TIME_WAIT (RFC 1337 assassination)", EXPFILL } },
        { &ei_rst_ignored, { "tcplife.analysis.rst_ignored", PI_SEQUENCE, PI_WARN,
            "RST its receiver's TCP did not take (RFC 9293 3.10.7, RFC 5961): in SYN_SENT not acknowledging"
            " its SYN, outside its receive window, or met by the receiver going on; no state changes", EXPFILL } },
        { &ei_rst_injected, { "tcplife.analysis.rst_injected", PI_SECURITY, PI_WARN,
            "RST its named sender's TCP did not send: that end went on sending after it (injected)", EXPFILL } },
        { &ei_icmp_error, { "tcplife.analysis.icmp_error", PI_RESPONSE_CODE, PI_NOTE,
            "ICMP error for a TCP connection", EXPFILL } },
        { &ei_icmp_error_unsent, { "tcplife.analysis.icmp_error_unsent", PI_SECURITY, PI_WARN,
            "ICMP error quoting a sequence number the connection never sent", EXPFILL } },
    };

    proto_tcplife = proto_register_protocol("TCP Connection Lifecycle", "TCPLIFE", "tcplife");
    proto_register_field_array(proto_tcplife, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *expert = expert_register_protocol(proto_tcplife);
    expert_register_field_array(expert, ei, array_length(ei));

    module_t *tcplife_prefs = prefs_register_protocol(proto_tcplife, NULL);
    prefs_register_uint_preference(tcplife_prefs, "time_wait", "TIME_WAIT period (2MSL, seconds)",
        "How long an end stays in TIME_WAIT. Linux: 60 (fixed); RFC 9293: 240 (MSL 2 min); "
        "Windows: 240; BSD: 60 (MSL 30 s). Changing it re-runs the analysis.",
        10, &pref_time_wait);
    prefs_register_bool_preference(tcplife_prefs, "summary_on_every_packet", "Connection summary on every packet",
        "Show the handshake, close, data and TIME_WAIT subtrees on every packet of a connection. "
        "Off: only on packets with a lifecycle event (not on plain data or ACK packets), which makes "
        "tshark -T fields / -V markedly cheaper; filters on tcplife.handshake.*, close.*, data.*, "
        "timewait.* and duration then match only those packets.",
        &pref_summary_every_packet);

    tcplife_tap = register_tap(TCPLIFE_TAP_NAME);
    tcplife_register_ladder_menu(proto_tcplife);

    register_init_routine(tcplife_init);
    register_cleanup_routine(tcplife_cleanup);
}

void proto_reg_handoff_tcplife(void)
{
    tcplife_handle = create_dissector_handle(dissect_tcplife, proto_tcplife);
    register_postdissector(tcplife_handle);
    tcp_layers_init();
}
