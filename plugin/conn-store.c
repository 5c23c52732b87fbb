/* conn-store.c — file-scope storage of connections, verdicts and per-frame codes. */
#include "conn-store.h"

#include <stddef.h>
#include <string.h>

#include <epan/to_str.h>

/* Records that never move, in chunks: no allocation header per record, and
 * pointers to them (the engine's verdict chain) stay valid as the store grows. */
#define CHUNK_LEN 1024

typedef struct {
    GPtrArray *chunks;
    guint32    len;
    gsize      size;            /* of one record */
} chunked;

static void chunked_init(chunked *a, gsize size)
{
    a->chunks = g_ptr_array_new_with_free_func(g_free);
    a->len = 0;
    a->size = size;
}

static void chunked_free(chunked *a)
{
    if (a->chunks)
        g_ptr_array_free(a->chunks, TRUE);
    a->chunks = NULL;
    a->len = 0;
}

static gpointer chunked_at(const chunked *a, guint32 i)
{
    return (guint8 *)g_ptr_array_index(a->chunks, i / CHUNK_LEN) + (gsize)(i % CHUNK_LEN) * a->size;
}

/* A new zeroed record. */
static gpointer chunked_add(chunked *a)
{
    if (a->len % CHUNK_LEN == 0)
        g_ptr_array_add(a->chunks, g_malloc0(CHUNK_LEN * a->size));
    return chunked_at(a, a->len++);
}

/* A slot is its connection's engine id, which verdicts hold in TL_CONN_ID_BITS. */
#define SLOT_MAX (1u << TL_CONN_ID_BITS)

static chunked conns;           /* slot -> conn_rec */
static chunked verdicts;        /* index - 1 -> tl_verdict */
static chunked gaps;            /* index - 1 -> gap_rec */
static chunked tuples;          /* index -> tuple_key */
static GHashTable *tuple_set;   /* tuple_key in tuples -> itself */
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
    chunked_init(&conns, sizeof(conn_rec));
    chunked_init(&verdicts, sizeof(tl_verdict));
    chunked_init(&gaps, sizeof(gap_rec));
    stream_slots = g_array_new(FALSE, TRUE, sizeof(guint32));
    frame_codes = g_array_new(FALSE, TRUE, sizeof(guint32));
    chunked_init(&tuples, sizeof(tuple_key));
    tuple_set = g_hash_table_new(tuple_hash, tuple_equal);
}

void conn_store_cleanup(void)
{
    chunked_free(&conns);
    chunked_free(&verdicts);
    chunked_free(&gaps);
    chunked_free(&tuples);
    if (tuple_set)
        g_hash_table_destroy(tuple_set);
    tuple_set = NULL;
    if (stream_slots)
        g_array_free(stream_slots, TRUE);
    if (frame_codes)
        g_array_free(frame_codes, TRUE);
    stream_slots = NULL;
    frame_codes = NULL;
}

conn_rec *conn_store_current(guint32 tcp_stream)
{
    if (tcp_stream >= stream_slots->len)
        return NULL;
    guint32 slot1 = g_array_index(stream_slots, guint32, tcp_stream);
    return slot1 ? chunked_at(&conns, slot1 - 1) : NULL;
}

/* The 4-tuple, added if new; NULL for addresses it cannot hold. */
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

    tuple_key *t = g_hash_table_lookup(tuple_set, &probe);
    if (t)
        return t;
    t = chunked_add(&tuples);
    *t = probe;
    t->index = tuples.len - 1;
    g_hash_table_add(tuple_set, t);
    return t;
}

conn_rec *conn_store_open(guint32 tcp_stream, const address *src, guint16 sport,
                          const address *dst, guint16 dport, conn_rec **prev)
{
    guint32 slot = conns.len;
    guint8 a_idx;
    *prev = NULL;
    tuple_key *tuple = find_tuple(src, sport, dst, dport, &a_idx);
    if (!tuple)
        return NULL;
    conn_rec *rec = chunked_add(&conns);
    tl_conn_init(&rec->conn, slot);
    rec->tcp_stream = tcp_stream;
    rec->tuple = tuple->index;
    rec->a_idx = a_idx;
    if (tuple->last_slot)
        *prev = chunked_at(&conns, tuple->last_slot - 1);
    tuple->last_slot = slot + 1;
    if (tcp_stream >= stream_slots->len)
        g_array_set_size(stream_slots, tcp_stream + 1);
    g_array_index(stream_slots, guint32, tcp_stream) = slot + 1;
    return rec;
}

gboolean conn_store_from_a(const conn_rec *rec, const address *src, guint16 sport)
{
    const tuple_key *t = chunked_at(&tuples, rec->tuple);
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
    const tuple_key *t = chunked_at(&tuples, rec->tuple);
    address addr;
    tuple_address(t, idx, &addr);
    char *name = address_to_str(NULL, &addr);
    char *out = addr.type == AT_IPv6 ? g_strdup_printf("[%s]:%u", name, t->port[idx])
                                      : g_strdup_printf("%s:%u", name, t->port[idx]);
    wmem_free(NULL, name);
    return out;
}

conn_rec *conn_store_get(guint32 slot)
{
    return slot < conns.len ? chunked_at(&conns, slot) : NULL;
}

guint32 conn_store_count(void)
{
    return conns.len;
}

gboolean conn_store_has_room(guint n)
{
    return conns.len + n <= SLOT_MAX && verdicts.len + n <= FRAME_CODE_HIGH_MAX;
}

tl_verdict *conn_store_add_verdict(const tl_verdict *v, guint32 *index)
{
    tl_verdict *copy = chunked_add(&verdicts);
    *copy = *v;
    *index = verdicts.len;
    return copy;
}

const tl_verdict *conn_store_verdict(guint32 index)
{
    return index && index <= verdicts.len ? chunked_at(&verdicts, index - 1) : NULL;
}

void conn_store_add_gap(conn_rec *rec, const tl_gap *gap)
{
    gap_rec *g = rec->last_gap ? chunked_at(&gaps, rec->last_gap - 1) : NULL;
    if (!g || g->verdict != rec->last_verdict) {
        /* At most one per kept verdict: indices fit as verdict indices do. */
        g = chunked_add(&gaps);
        g->verdict = rec->last_verdict;
        g->prev = rec->last_gap;
        rec->last_gap = gaps.len;
    }
    for (int i = 0; i < 2; i++) {
        g->gap.bytes[i] += gap->bytes[i];
        g->gap.segs[i] += gap->segs[i];
    }
}

const gap_rec *conn_store_gap(guint32 index)
{
    return index && index <= gaps.len ? chunked_at(&gaps, index - 1) : NULL;
}

const tl_verdict *conn_store_find_kept(const tl_conn *conn, guint32 frame)
{
    guint32 code = conn_store_frame(frame);
    if (FRAME_CODE_KIND(code) != FRAME_KIND_KEPT)
        return NULL;
    const tl_verdict *v;
    for (guint32 i = FRAME_CODE_HIGH(code); (v = conn_store_verdict(i)) && v->frame == frame; i++) {
        if (v->conn_id == conn->id)
            return v;
    }
    return NULL;
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
    const tl_verdict *v = conn_store_verdict(FRAME_CODE_HIGH(conn_store_frame(frame)));
    return v ? conn_store_get(v->conn_id) : NULL;
}

gint64 conn_store_reuse_after(const tl_conn *conn)
{
    const conn_rec *prev = conn->has_prev ? conn_store_get(conn->prev_id) : NULL;
    return prev ? tl_conn_reuse_after(conn, &prev->conn) : 0;
}
