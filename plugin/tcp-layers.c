/* tcp-layers.c — the TCP layers of a frame, read without a tree (see tcp-layers.h). */
#include "tcp-layers.h"

#include <epan/conversation.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tcp.h>

#include "bytes.h"
#include "tcp_header.h"
#include "tcp_locate.h"

static int proto_tcp = -1;
static int proto_icmp = -1;
static int proto_icmpv6 = -1;
static int proto_ip = -1;
static int proto_ipv6 = -1;
static int hf_tcp_srcport = -1;
static int hf_tcp_dstport = -1;

void tcp_layers_init(void)
{
    proto_tcp = proto_get_id_by_filter_name("tcp");
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
    proto_ip = proto_get_id_by_filter_name("ip");
    proto_ipv6 = proto_get_id_by_filter_name("ipv6");
    hf_tcp_srcport = proto_registrar_get_id_byname("tcp.srcport");
    hf_tcp_dstport = proto_registrar_get_id_byname("tcp.dstport");
}

/* Layer numbers (positions in pinfo->layers, as TCP saw pinfo->curr_layer_num)
 * of the TCP layers not quoted inside an ICMP/ICMPv6 error, outer first; in
 * the same walk, the quote an error carries (see tcp_layers_read). */
static guint tcp_layer_numbers(packet_info *pinfo, int *nums, guint max, tcp_quoted *quoted)
{
    guint n = 0;
    int pos = 0, icmp_pos = 0, icmp = -1, quoted_ip = -1;
    quoted->layer = 0;
    for (wmem_list_frame_t *f = wmem_list_head(pinfo->layers); f; f = wmem_list_frame_next(f)) {
        int proto = GPOINTER_TO_INT(wmem_list_frame_data(f));
        pos++;
        if (icmp_pos) {
            /* icmp|icmpv6, ip|ipv6, tcp: a quote carrying a tunnel would put
             * another header 8 bytes before the inner IP one. */
            if (pos == icmp_pos + 1)
                quoted_ip = proto;
            else if (proto == proto_tcp && (quoted_ip == proto_ip || quoted_ip == proto_ipv6)) {
                quoted->layer = pos;
                quoted->v6 = icmp == proto_icmpv6;
            }
            if (pos == icmp_pos + 2)
                break;
        } else if (proto == proto_icmp || proto == proto_icmpv6) {
            icmp_pos = pos;
            icmp = proto;
        } else if (proto == proto_tcp && n < max) {
            nums[n++] = pos;
        }
    }
    return n;
}

/* Where the search for the next (inner) TCP layer resumes. */
typedef struct {
    GSList *source;         /* in pinfo->data_src; the frame comes first */
    size_t  from;
} search_cursor;

/* A TCP header in one data source: bytes from the header on, and the segment's end. */
typedef struct {
    const guint8 *buf;          /* the data source's first byte */
    const guint8 *ip;           /* the IP header, NULL for a header at the start */
    const guint8 *hdr;
    size_t        captured;     /* header bytes present */
    size_t        seg_len;      /* header and payload, by the IP length */
} tcp_bytes;

/* Find the header with these ports: behind its IP header, or at the start of
 * a data source of its own (an IP datagram reassembled from fragments, a
 * decrypted payload), where the addresses are those of the frame's IP layer. */
static gboolean locate(packet_info *pinfo, guint16 sport, guint16 dport, search_cursor *cur,
                       tcp_layer *t, tcp_bytes *bytes)
{
    for (GSList *s = cur->source; s; s = s->next, cur->from = 0) {
        tvbuff_t *tvb = get_data_source_tvb((const struct data_source *)s->data);
        size_t captured = tvb_captured_length(tvb);
        size_t reported = tvb_reported_length(tvb);
        if (captured == 0)
            continue;
        const guint8 *buf = tvb_get_ptr(tvb, 0, (gint)captured);
        tl_tcp_spot spot;
        bytes->buf = buf;
        if (s != pinfo->data_src && cur->from == 0 && tl_tcp_at_start(buf, captured, reported, sport, dport, &spot)) {
            copy_address_shallow(&t->src, &pinfo->src);
            copy_address_shallow(&t->dst, &pinfo->dst);
            bytes->ip = NULL;
        } else if (tl_find_tcp(buf, captured, reported, cur->from, sport, dport, &spot)) {
            int type = spot.addr_len == 4 ? AT_IPv4 : AT_IPv6;
            set_address(&t->src, type, spot.addr_len, buf + spot.addr_off);
            set_address(&t->dst, type, spot.addr_len, buf + spot.addr_off + spot.addr_len);
            /* The source address sits 12 bytes into an IPv4 header, 8 into IPv6. */
            bytes->ip = buf + spot.addr_off - (spot.addr_len == 4 ? 12 : 8);
        } else {
            continue;
        }
        cur->source = s;
        cur->from = spot.tcp_off + 4;
        bytes->hdr = buf + spot.tcp_off;
        bytes->captured = captured - spot.tcp_off;
        bytes->seg_len = spot.seg_end > spot.tcp_off ? spot.seg_end - spot.tcp_off : 0;
        return TRUE;
    }
    return FALSE;
}

/* TCP's conversations, found again without the full lookup (two hash
 * lookups, about 2 % of plain tshark): on the first pass TCP moves the
 * conversation it used to the frame it dissects (last_frame), so a
 * remembered conversation whose last_frame is this frame and whose key holds
 * these addresses and ports is the one TCP used. Anything else -- a new
 * conversation for a reused 4-tuple, a key of another 4-tuple in the slot --
 * takes the full lookup. Direct-mapped; forgotten with the file. */
#define CONV_CACHE_BITS 14

typedef struct {
    conversation_t *conv;
    guint32         stream;
} conv_slot;

static conv_slot conv_cache[1u << CONV_CACHE_BITS];

void tcp_layers_forget(void)
{
    memset(conv_cache, 0, sizeof conv_cache);
}

/* The same for both directions. */
static guint conv_hash(const tcp_layer *t)
{
    guint h = (guint)(t->seg.sport ^ t->seg.dport);
    const address *ends[2] = { &t->src, &t->dst };
    for (int e = 0; e < 2; e++) {
        const guint8 *a = ends[e]->data;
        for (int i = 0; i < ends[e]->len; i++)
            h ^= (guint)a[i] << (8 * (i % 4));
    }
    return (h * 2654435761u) >> (32 - CONV_CACHE_BITS);
}

static gboolean key_is(const conversation_t *conv, const address *a1, guint16 p1, const address *a2, guint16 p2)
{
    const conversation_element_t *key = conv->key_ptr;
    return conversation_key_port1(key) == p1 && conversation_key_port2(key) == p2
           && addresses_equal(conversation_key_addr1(key), a1) && addresses_equal(conversation_key_addr2(key), a2);
}

/* tcp.stream as TCP assigned it: the conversation TCP used for this frame.
 * The cache only serves frames with one TCP layer: with two of the same
 * 4-tuple (a tunnel into itself), the first could leave the old conversation
 * at this frame while TCP gave the second a new one. */
static gboolean stream_of(packet_info *pinfo, const tcp_layer *t, gboolean one_layer, guint32 *stream)
{
    conv_slot *slot = &conv_cache[conv_hash(t)];
    const conversation_t *c = slot->conv;
    if (!one_layer || !c || c->last_frame != pinfo->num
        || !(key_is(c, &t->src, t->seg.sport, &t->dst, t->seg.dport)
             || key_is(c, &t->dst, t->seg.dport, &t->src, t->seg.sport))) {
        conversation_t *conv = find_conversation(pinfo->num, &t->src, &t->dst, CONVERSATION_TCP,
                                                 t->seg.sport, t->seg.dport, 0);
        const struct tcp_analysis *tcpd = conv ? conversation_get_proto_data(conv, proto_tcp) : NULL;
        if (!tcpd)
            return FALSE;
        slot->conv = conv;
        slot->stream = tcpd->stream;
    }
    *stream = slot->stream;
    return TRUE;
}

static gint64 frame_ts(const packet_info *pinfo)
{
    return (gint64)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs;
}

/* Find TCP layer number num in the bytes from *cur on: its ports are those
 * TCP stored for it before anything could fail (a port of 0 reads as NULL). */
static gboolean locate_layer(packet_info *pinfo, int num, search_cursor *cur, tcp_layer *t, tcp_bytes *bytes)
{
    guint16 sport = (guint16)GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, hf_tcp_srcport, num));
    guint16 dport = (guint16)GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, hf_tcp_dstport, num));
    memset(t, 0, sizeof *t);
    return locate(pinfo, sport, dport, cur, t, bytes);
}

guint tcp_layers_read(packet_info *pinfo, tcp_layer *out, guint max, tcp_quoted *quoted)
{
    int nums[TCP_LAYERS_MAX];
    guint layers = tcp_layer_numbers(pinfo, nums, MIN(max, TCP_LAYERS_MAX), quoted);
    search_cursor cur = { pinfo->data_src, 0 };
    gint64 ts = frame_ts(pinfo);
    guint n = 0;

    for (guint i = 0; i < layers; i++) {
        tcp_layer *t = &out[n];
        tcp_bytes bytes;
        if (!locate_layer(pinfo, nums[i], &cur, t, &bytes))
            continue;
        size_t hlen = (size_t)(bytes.captured >= 13 ? bytes.hdr[12] >> 4 : 0) * 4;
        /* As TCP: no segment length for a header length under 20 or beyond the segment. */
        if (hlen < 20 || bytes.seg_len < hlen
            || !tl_parse_tcp_header(bytes.hdr, MIN(bytes.captured, hlen), &t->seg))
            continue;
        t->seg.len = (guint32)(bytes.seg_len - hlen);
        t->seg.frame = pinfo->num;
        t->seg.ts = ts;
        if (stream_of(pinfo, t, layers == 1, &t->tcp_stream))
            n++;
    }
    return n;
}

gboolean tcp_layers_read_quote(packet_info *pinfo, const tcp_quoted *quoted, tcp_quote *out)
{
    search_cursor cur = { pinfo->data_src, 0 };
    tcp_bytes bytes;
    tcp_layer *t = &out->layer;
    /* At least 16 bytes of the quote: with fewer TCP gives up before its own
     * conversation lookup, and ours must not be the first (it binds wildcard
     * conversations). The quote sits behind an IP header of the error's
     * family, itself behind the 8-byte ICMP header. */
    if (!quoted->layer || !locate_layer(pinfo, quoted->layer, &cur, t, &bytes) || bytes.captured < 16
        || !bytes.ip || (t->src.type == AT_IPv6) != quoted->v6
        || !tl_icmp_error_before(bytes.buf, (size_t)(bytes.ip - bytes.buf), quoted->v6, &out->type, &out->code))
        return FALSE;
    out->v6 = quoted->v6;
    tl_segment *seg = &t->seg;
    seg->sport = tl_get16(bytes.hdr);
    seg->dport = tl_get16(bytes.hdr + 2);
    seg->seq = tl_get32(bytes.hdr + 4);
    seg->flags = bytes.hdr[13];     /* within the 16 bytes required above */
    seg->frame = pinfo->num;
    seg->ts = frame_ts(pinfo);
    return stream_of(pinfo, t, TRUE, &t->tcp_stream);
}
