/* tcp-fields.c — reading TCP segments out of Wireshark's dissection. */
#include "tcp-fields.h"

#include "tcp_header.h"

enum { WANT_SRCPORT, WANT_STREAM, WANT_LEN, WANT_COUNT };

static const char *const wanted_names[WANT_COUNT] = { "tcp.srcport", "tcp.stream", "tcp.len" };
static int wanted_ids[WANT_COUNT] = { -1, -1, -1 };
static int proto_tcp = -1;
static int proto_icmp = -1;
static int proto_icmpv6 = -1;

void tcp_fields_want(dissector_handle_t handle)
{
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int));
    for (int i = 0; i < WANT_COUNT; i++) {
        wanted_ids[i] = proto_registrar_get_id_byname(wanted_names[i]);
        g_array_append_val(ids, wanted_ids[i]);
    }
    set_postdissector_wanted_hfids(handle, ids);
    proto_tcp = proto_get_id_by_filter_name("tcp");
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
}

/* Bit n set: the n-th TCP layer (1-based) sits inside an ICMP/ICMPv6 error. */
static guint32 quoted_tcp_layers(packet_info *pinfo)
{
    guint32 quoted = 0;
    int tcp_count = 0;
    gboolean in_icmp = FALSE;
    for (wmem_list_frame_t *f = wmem_list_head(pinfo->layers); f; f = wmem_list_frame_next(f)) {
        int proto = GPOINTER_TO_INT(wmem_list_frame_data(f));
        if (proto == proto_icmp || proto == proto_icmpv6)
            in_icmp = TRUE;
        else if (proto == proto_tcp && ++tcp_count < 32 && in_icmp)
            quoted |= 1u << tcp_count;
    }
    return quoted;
}

static field_info *finfo_of_layer(GPtrArray *finfos, int layer)
{
    for (guint i = 0; finfos && i < finfos->len; i++) {
        field_info *fi = g_ptr_array_index(finfos, i);
        if (fi->proto_layer_num == layer)
            return fi;
    }
    return NULL;
}

guint tcp_fields_read(packet_info *pinfo, proto_tree *tree, tcp_layer *out, guint max)
{
    if (!tree)
        return 0;
    GPtrArray *ports = proto_get_finfo_ptr_array(tree, wanted_ids[WANT_SRCPORT]);
    if (!ports || ports->len == 0)
        return 0;
    GPtrArray *streams = proto_get_finfo_ptr_array(tree, wanted_ids[WANT_STREAM]);
    GPtrArray *lens = proto_get_finfo_ptr_array(tree, wanted_ids[WANT_LEN]);
    guint32 quoted = quoted_tcp_layers(pinfo);
    gint64 ts = (gint64)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs;
    guint n = 0;

    for (guint i = 0; i < ports->len && n < max; i++) {
        field_info *port = g_ptr_array_index(ports, i);
        int layer = port->proto_layer_num;
        if (layer > 0 && layer < 32 && (quoted & (1u << layer)))
            continue;
        field_info *stream = finfo_of_layer(streams, layer);
        field_info *len = finfo_of_layer(lens, layer);
        if (!stream || !len || !port->ds_tvb)
            continue;   /* a header too short for TCP to finish: nothing to learn */
        gint avail = tvb_captured_length_remaining(port->ds_tvb, port->start);
        if (avail < 20)
            continue;
        if (avail > 60)
            avail = 60;
        tcp_layer *t = &out[n];
        memset(t, 0, sizeof *t);
        if (!tl_parse_tcp_header(tvb_get_ptr(port->ds_tvb, port->start, avail), (size_t)avail, &t->seg))
            continue;
        t->seg.len = fvalue_get_uinteger(&len->value);
        t->seg.frame = pinfo->num;
        t->seg.ts = ts;
        t->tcp_stream = fvalue_get_uinteger(&stream->value);
        n++;
    }
    return n;
}
