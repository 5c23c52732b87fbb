/* conn-store.c — file-scope storage of connections and per-frame codes. */
#include "conn-store.h"

#include <stddef.h>
#include <string.h>

#include <epan/to_str.h>
#include <epan/wmem_scopes.h>

/* A slot is its connection's engine id, which verdicts hold in TL_CONN_ID_BITS. */
G_STATIC_ASSERT(FRAME_CODE_HIGH_MAX <= 1u << TL_CONN_ID_BITS);

static GPtrArray *conns;        /* slot -> conn_rec*, records in wmem file scope */
static wmem_map_t *tuples;      /* tuple_key -> itself, keys in wmem file scope */
static GArray *stream_slots;    /* tcp.stream -> current slot + 1 */
static GArray *frame_codes;     /* frame number -> code */

#define TUPLE_KEY_BYTES offsetof(tuple_key, last_slot)

static guint tuple_hash(gconstpointer key)
{
    /* FNV-1a over the key bytes */
    const guint8 *p = key;
    guint h = 2166136261u;
    for (size_t i = 0; i < TUPLE_KEY_BYTES; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static gboolean tuple_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, TUPLE_KEY_BYTES) == 0;
}

/* Which endpoint sorts first decides the canonical order. */
static gboolean endpoint_first(const address *a, guint16 pa, const address *b, guint16 pb)
{
    int c = cmp_address(a, b);
    return c < 0 || (c == 0 && pa <= pb);
}

static void tuple_address(const tuple_key *t, guint8 idx, address *out)
{
    set_address(out, t->addr_type, t->addr_len, t->addr[idx]);
}

void conn_store_init(void)
{
    conns = g_ptr_array_new();
    stream_slots = g_array_new(FALSE, TRUE, sizeof(guint32));
    frame_codes = g_array_new(FALSE, TRUE, sizeof(guint32));
    tuples = wmem_map_new(wmem_file_scope(), tuple_hash, tuple_equal);
}

void conn_store_cleanup(void)
{
    if (conns)
        g_ptr_array_free(conns, TRUE);
    if (stream_slots)
        g_array_free(stream_slots, TRUE);
    if (frame_codes)
        g_array_free(frame_codes, TRUE);
    conns = NULL;
    stream_slots = NULL;
    frame_codes = NULL;
    tuples = NULL;      /* freed with the file scope */
}

conn_rec *conn_store_current(guint32 tcp_stream)
{
    if (tcp_stream >= stream_slots->len)
        return NULL;
    guint32 slot1 = g_array_index(stream_slots, guint32, tcp_stream);
    return slot1 ? g_ptr_array_index(conns, slot1 - 1) : NULL;
}

static tuple_key *find_tuple(const address *src, guint16 sport, const address *dst, guint16 dport, guint8 *src_idx)
{
    if (src->len > TUPLE_ADDR_MAX || dst->len != src->len || dst->type != src->type)
        return NULL;
    gboolean src_first = endpoint_first(src, sport, dst, dport);
    const address *first = src_first ? src : dst;
    const address *second = src_first ? dst : src;
    tuple_key probe;
    memset(&probe, 0, sizeof probe);    /* padding and unused address bytes are part of the key */
    memcpy(probe.addr[0], first->data, first->len);
    memcpy(probe.addr[1], second->data, second->len);
    probe.addr_type = (guint8)src->type;
    probe.addr_len = (guint8)src->len;
    probe.port[0] = src_first ? sport : dport;
    probe.port[1] = src_first ? dport : sport;
    *src_idx = src_first ? 0 : 1;

    tuple_key *t = wmem_map_lookup(tuples, &probe);
    if (t)
        return t;
    t = wmem_new(wmem_file_scope(), tuple_key);
    *t = probe;
    wmem_map_insert(tuples, t, t);
    return t;
}

conn_rec *conn_store_open(guint32 tcp_stream, const address *src, guint16 sport,
                          const address *dst, guint16 dport, conn_rec **prev)
{
    guint32 slot = conns->len;
    guint8 a_idx;
    *prev = NULL;
    if (slot >= FRAME_CODE_HIGH_MAX)
        return NULL;
    tuple_key *tuple = find_tuple(src, sport, dst, dport, &a_idx);
    if (!tuple)
        return NULL;
    conn_rec *rec = wmem_new0(wmem_file_scope(), conn_rec);
    tl_conn_init(&rec->conn, slot);
    rec->tcp_stream = tcp_stream;
    rec->tuple = tuple;
    rec->a_idx = a_idx;
    if (rec->tuple->last_slot)
        *prev = g_ptr_array_index(conns, rec->tuple->last_slot - 1);
    rec->tuple->last_slot = slot + 1;
    g_ptr_array_add(conns, rec);
    if (tcp_stream >= stream_slots->len)
        g_array_set_size(stream_slots, tcp_stream + 1);
    g_array_index(stream_slots, guint32, tcp_stream) = slot + 1;
    return rec;
}

gboolean conn_store_from_a(const conn_rec *rec, const address *src, guint16 sport)
{
    const tuple_key *t = rec->tuple;
    guint8 b_idx = !rec->a_idx;
    if (sport != t->port[rec->a_idx])
        return FALSE;
    /* Both ends on one port: only the address tells them apart. */
    if (t->port[b_idx] != sport)
        return TRUE;
    address a;
    tuple_address(t, rec->a_idx, &a);
    return addresses_equal(src, &a);
}

char *conn_store_endpoint(const conn_rec *rec, tl_role role)
{
    guint8 idx = (role == TL_CLIENT) == rec->conn.a_is_client ? rec->a_idx : !rec->a_idx;
    address addr;
    tuple_address(rec->tuple, idx, &addr);
    char *name = address_to_str(NULL, &addr);
    char *out = addr.type == AT_IPv6 ? g_strdup_printf("[%s]:%u", name, rec->tuple->port[idx])
                                      : g_strdup_printf("%s:%u", name, rec->tuple->port[idx]);
    wmem_free(NULL, name);
    return out;
}

conn_rec *conn_store_get(guint32 slot)
{
    return slot < conns->len ? g_ptr_array_index(conns, slot) : NULL;
}

guint32 conn_store_count(void)
{
    return conns ? conns->len : 0;
}

void conn_store_set_frame(guint32 frame, guint32 code)
{
    if (frame >= frame_codes->len)
        g_array_set_size(frame_codes, frame + 1);
    g_array_index(frame_codes, guint32, frame) = code;
}

guint32 conn_store_frame(guint32 frame)
{
    return frame_codes && frame < frame_codes->len ? g_array_index(frame_codes, guint32, frame) : 0;
}

const conn_rec *conn_store_of_frame(guint32 frame)
{
    guint32 code = conn_store_frame(frame);
    switch (FRAME_CODE_KIND(code)) {
    case FRAME_KIND_NONE:
    case FRAME_KIND_KEPT_MULTI:
        return NULL;
    default:
        return conn_store_get(FRAME_CODE_HIGH(code) - 1);
    }
}
