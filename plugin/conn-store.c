/* conn-store.c — file-scope storage of connections, and lookups of their verdicts. */
#include "conn-store.h"

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

/* 4-tuples in canonical order (the endpoint that sorts first is [0]), shared
 * by all incarnations that use it, addresses inline. IPv4 ones, nearly all,
 * take 16 bytes; any other address type (IPv6) the wide record. A handle
 * names one: bit 30 set for a wide one, the index below it. There are never
 * more 4-tuples than connections (below 2^TL_CONN_ID_BITS). */
#define TUPLE_ADDR_MAX 16
#define TUPLE_WIDE     (1u << 30)

typedef struct {
    guint8   addr[2][4];
    guint16  port[2];
    guint32  last_slot;         /* newest connection on this 4-tuple, + 1 */
} tuple_v4;

typedef struct {
    guint8   addr[2][TUPLE_ADDR_MAX];
    guint16  port[2];
    guint32  last_slot;
    guint8   addr_type;         /* address_type */
    guint8   addr_len;
} tuple_wide;

/* Either record, read through one shape. */
typedef struct {
    const guint8 *addr[2];
    const guint16 *port;
    guint32      *last_slot;
    int           addr_type;
    guint8        addr_len;
} tuple_view;

static chunked conns;           /* slot -> conn_rec */
static chunked gaps;            /* index - 1 -> gap_rec */
static chunked tuples_v4;       /* handle -> tuple_v4 */
static chunked tuples_wide;     /* handle & ~TUPLE_WIDE -> tuple_wide */
static GArray *stream_slots;    /* tcp.stream -> current slot + 1 */

/* Frames whose view cannot be derived, in frame order. */
typedef struct {
    guint32 frame;
    guint32 code;
} frame_note;

static GArray *frame_notes;

/* Where the last search for a frame's verdicts ended: a sequential pass
 * (tshark -2) finds the next frame's a few records on. */
static guint32 verdict_hint;

/* An index of a long verdict chain, oldest first, built on demand and
 * extended when the chain grows. Only connections with more kept packets
 * than a short walk covers (floods, storms of re-sent FINs) get one. */
#define CHAIN_WALK_MAX 16

typedef struct {
    GPtrArray        *kept;     /* const tl_verdict *, oldest first */
    guint32           newest;   /* store index of the chain's head when last extended */
} chain_index;

static GHashTable *chain_indices;   /* slot -> chain_index */

/* The connections of the plain frames derived last, for conn_store_of_frame. */
#define REMEMBERED 256

static struct {
    guint32 frame;
    guint32 slot1;
} remembered[REMEMBERED];

/* The 4-tuple set: open addressing, linear probing, handle + 1 per slot (0:
 * free), at most half full. 4 bytes a slot instead of a GHashTable's 12. */
static guint32 *tuple_set;
static guint32  tuple_set_mask; /* slots - 1 */
static guint32  tuple_set_used;

static tuple_view tuple_at(guint32 handle)
{
    tuple_view v;
    if (handle & TUPLE_WIDE) {
        tuple_wide *t = chunked_at(&tuples_wide, handle & ~TUPLE_WIDE);
        v.addr[0] = t->addr[0];
        v.addr[1] = t->addr[1];
        v.port = t->port;
        v.last_slot = &t->last_slot;
        v.addr_type = t->addr_type;
        v.addr_len = t->addr_len;
    } else {
        tuple_v4 *t = chunked_at(&tuples_v4, handle);
        v.addr[0] = t->addr[0];
        v.addr[1] = t->addr[1];
        v.port = t->port;
        v.last_slot = &t->last_slot;
        v.addr_type = AT_IPv4;
        v.addr_len = 4;
    }
    return v;
}

static guint tuple_hash(const tuple_view *t)
{
    /* FNV-1a over the ports and addresses */
    guint h = 2166136261u ^ t->addr_len;
    for (int e = 0; e < 2; e++) {
        h = (h ^ (t->port[e] & 0xff)) * 16777619u;
        h = (h ^ (t->port[e] >> 8)) * 16777619u;
        for (guint i = 0; i < t->addr_len; i++)
            h = (h ^ t->addr[e][i]) * 16777619u;
    }
    return h;
}

static gboolean tuple_equal(const tuple_view *a, const tuple_view *b)
{
    /* No address bytes (AT_NONE) may come with no pointer either. */
    return a->addr_type == b->addr_type && a->addr_len == b->addr_len
           && a->port[0] == b->port[0] && a->port[1] == b->port[1]
           && (!a->addr_len || (memcmp(a->addr[0], b->addr[0], a->addr_len) == 0
                                && memcmp(a->addr[1], b->addr[1], a->addr_len) == 0));
}

/* The set slot holding t, or the free slot where it would go. */
static guint32 *tuple_set_slot(const tuple_view *t)
{
    guint32 i = tuple_hash(t) & tuple_set_mask;
    while (tuple_set[i]) {
        tuple_view s = tuple_at(tuple_set[i] - 1);
        if (tuple_equal(&s, t))
            break;
        i = (i + 1) & tuple_set_mask;
    }
    return &tuple_set[i];
}

static void tuple_set_alloc(guint32 slots)
{
    tuple_set = g_new0(guint32, slots);
    tuple_set_mask = slots - 1;
}

static void tuple_set_add(guint32 handle)
{
    if (2 * (tuple_set_used + 1) > tuple_set_mask + 1) {
        guint32 *old = tuple_set;
        guint32 old_slots = tuple_set_mask + 1;
        tuple_set_alloc(2 * old_slots);
        for (guint32 i = 0; i < old_slots; i++) {
            if (old[i]) {
                tuple_view t = tuple_at(old[i] - 1);
                *tuple_set_slot(&t) = old[i];
            }
        }
        g_free(old);
    }
    tuple_view t = tuple_at(handle);
    *tuple_set_slot(&t) = handle + 1;
    tuple_set_used++;
}

/* Which endpoint sorts first decides the canonical order. */
static gboolean endpoint_first(const address *a, guint16 pa, const address *b, guint16 pb)
{
    int c = cmp_address(a, b);
    return c < 0 || (c == 0 && pa <= pb);
}

static void tuple_address(const tuple_view *t, guint8 idx, address *out)
{
    set_address(out, t->addr_type, t->addr_len, t->addr[idx]);
}

static void chain_index_free(gpointer data)
{
    chain_index *index = data;
    g_ptr_array_free(index->kept, TRUE);
    g_free(index);
}

void conn_store_init(void)
{
    tl_store_clear();
    chunked_init(&conns, sizeof(conn_rec));
    chunked_init(&gaps, sizeof(gap_rec));
    chunked_init(&tuples_v4, sizeof(tuple_v4));
    chunked_init(&tuples_wide, sizeof(tuple_wide));
    stream_slots = g_array_new(FALSE, TRUE, sizeof(guint32));
    frame_notes = g_array_new(FALSE, FALSE, sizeof(frame_note));
    verdict_hint = 0;
    chain_indices = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, chain_index_free);
    memset(remembered, 0, sizeof remembered);
    tuple_set_alloc(1024);
    tuple_set_used = 0;
}

void conn_store_cleanup(void)
{
    chunked_free(&conns);
    tl_store_clear();
    chunked_free(&gaps);
    chunked_free(&tuples_v4);
    chunked_free(&tuples_wide);
    g_free(tuple_set);
    tuple_set = NULL;
    if (stream_slots)
        g_array_free(stream_slots, TRUE);
    if (frame_notes)
        g_array_free(frame_notes, TRUE);
    if (chain_indices)
        g_hash_table_destroy(chain_indices);
    stream_slots = NULL;
    frame_notes = NULL;
    chain_indices = NULL;
}

conn_rec *conn_store_current(guint32 tcp_stream)
{
    if (tcp_stream >= stream_slots->len)
        return NULL;
    guint32 slot1 = g_array_index(stream_slots, guint32, tcp_stream);
    return slot1 ? chunked_at(&conns, slot1 - 1) : NULL;
}

/* The handle of the 4-tuple, added if new; FALSE for addresses it cannot hold. */
static gboolean find_tuple(const address *src, guint16 sport, const address *dst, guint16 dport,
                           guint32 *handle, guint8 *src_idx)
{
    if (src->len > TUPLE_ADDR_MAX || dst->len != src->len || dst->type != src->type)
        return FALSE;
    gboolean src_first = endpoint_first(src, sport, dst, dport);
    const address *ends[2] = { src_first ? src : dst, src_first ? dst : src };
    guint16 ports[2] = { src_first ? sport : dport, src_first ? dport : sport };
    tuple_view probe = { { ends[0]->data, ends[1]->data }, ports, NULL, src->type, (guint8)src->len };
    *src_idx = src_first ? 0 : 1;

    guint32 *slot = tuple_set_slot(&probe);
    if (*slot) {
        *handle = *slot - 1;
        return TRUE;
    }
    if (src->type == AT_IPv4 && src->len == 4) {
        tuple_v4 *t = chunked_add(&tuples_v4);
        *handle = tuples_v4.len - 1;
        memcpy(t->addr[0], ends[0]->data, 4);
        memcpy(t->addr[1], ends[1]->data, 4);
        memcpy(t->port, ports, sizeof ports);
    } else {
        tuple_wide *t = chunked_add(&tuples_wide);
        *handle = (tuples_wide.len - 1) | TUPLE_WIDE;
        if (src->len) {
            memcpy(t->addr[0], ends[0]->data, src->len);
            memcpy(t->addr[1], ends[1]->data, src->len);
        }
        memcpy(t->port, ports, sizeof ports);
        t->addr_type = (guint8)src->type;
        t->addr_len = (guint8)src->len;
    }
    tuple_set_add(*handle);
    return TRUE;
}

conn_rec *conn_store_open(guint32 tcp_stream, const address *src, guint16 sport,
                          const address *dst, guint16 dport, conn_rec **prev)
{
    guint32 slot = conns.len;
    guint32 handle;
    guint8 a_idx;
    *prev = NULL;
    if (!find_tuple(src, sport, dst, dport, &handle, &a_idx))
        return NULL;
    conn_rec *rec = chunked_add(&conns);
    tl_conn_init(&rec->conn, slot);
    rec->tcp_stream = tcp_stream;
    rec->tuple = handle;
    rec->a_idx = a_idx;
    rec->port[0] = sport;
    rec->port[1] = dport;
    tuple_view tuple = tuple_at(handle);
    if (*tuple.last_slot)
        *prev = chunked_at(&conns, *tuple.last_slot - 1);
    *tuple.last_slot = slot + 1;
    if (tcp_stream >= stream_slots->len)
        g_array_set_size(stream_slots, tcp_stream + 1);
    g_array_index(stream_slots, guint32, tcp_stream) = slot + 1;
    return rec;
}

gboolean conn_store_from_a(const conn_rec *rec, const address *src, guint16 sport)
{
    if (sport != rec->port[0])
        return FALSE;
    /* Both ends on one port: only the address tells them apart. */
    if (rec->port[1] != sport)
        return TRUE;
    tuple_view t = tuple_at(rec->tuple);
    address a;
    tuple_address(&t, rec->a_idx, &a);
    return addresses_equal(src, &a);
}

char *conn_store_endpoint(const conn_rec *rec, tl_role role)
{
    guint8 idx = (role == TL_CLIENT) == rec->conn.a_is_client ? rec->a_idx : !rec->a_idx;
    tuple_view t = tuple_at(rec->tuple);
    address addr;
    tuple_address(&t, idx, &addr);
    char *name = address_to_str(NULL, &addr);
    char *out = addr.type == AT_IPv6 ? g_strdup_printf("[%s]:%u", name, t.port[idx])
                                      : g_strdup_printf("%s:%u", name, t.port[idx]);
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
    return conns.len + n <= SLOT_MAX && tl_stored_count() + n <= FRAME_CODE_HIGH_MAX;
}

guint32 conn_store_add_verdict(const tl_verdict *v)
{
    return tl_store(v);
}

const tl_verdict *conn_store_verdict(guint32 index)
{
    return tl_stored(index);
}

void conn_store_add_gap(conn_rec *rec, const tl_gap *gap)
{
    gap_rec *g = rec->last_gap ? chunked_at(&gaps, rec->last_gap - 1) : NULL;
    if (!g || g->verdict != rec->conn.last) {
        /* At most one per kept verdict: indices fit as verdict indices do. */
        g = chunked_add(&gaps);
        g->verdict = rec->conn.last;
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

/* Item i of a list in frame order: its frame. */
typedef guint32 (*frame_of_fn)(gconstpointer list, guint32 i);

/* The first i in [lo, hi) whose frame is at or after frame, hi if none. The
 * verdict store, the frame notes and chain indices are all in frame order. */
static guint32 first_at_or_after(gconstpointer list, frame_of_fn frame_of, guint32 lo, guint32 hi, guint64 frame)
{
    while (lo < hi) {
        guint32 mid = lo + (hi - lo) / 2;
        if (frame_of(list, mid) < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static guint32 verdict_frame_of(gconstpointer list _U_, guint32 i)
{
    return tl_stored(i + 1)->frame;
}

static guint32 note_frame_of(gconstpointer list, guint32 i)
{
    return g_array_index((const GArray *)list, frame_note, i).frame;
}

static guint32 kept_frame_of(gconstpointer list, guint32 i)
{
    return ((const tl_verdict *)g_ptr_array_index((const GPtrArray *)list, i))->frame;
}

guint32 conn_store_first_verdict(guint32 frame)
{
    /* Verdicts are stored in frame order (first pass). From the last
     * search's end, gallop forward; a frame before it searches the rest. */
    guint32 len = tl_stored_count(), i;
    guint32 hint = MIN(verdict_hint, len);
    if (hint > 0 && verdict_frame_of(NULL, hint - 1) >= frame) {
        i = first_at_or_after(NULL, verdict_frame_of, 0, hint, frame);
    } else {
        guint32 step = 1, hi = hint;
        while (hi < len && verdict_frame_of(NULL, hi) < frame) {
            hint = hi + 1;
            hi = len - hi > step ? hi + step : len;
            step *= 2;
        }
        i = first_at_or_after(NULL, verdict_frame_of, hint, hi, frame);
    }
    verdict_hint = i;
    return i < len && verdict_frame_of(NULL, i) == frame ? i + 1 : 0;
}

/* rec's chain index, brought up to its newest kept verdict. */
static const chain_index *chain_index_of(const conn_rec *rec)
{
    gpointer key = GUINT_TO_POINTER(rec->conn.id);
    chain_index *index = g_hash_table_lookup(chain_indices, key);
    if (!index) {
        index = g_new0(chain_index, 1);
        index->kept = g_ptr_array_new();
        g_hash_table_insert(chain_indices, key, index);
    }
    if (index->newest != rec->conn.last) {
        guint32 old = index->kept->len;
        const tl_verdict *stop = tl_stored(index->newest);
        for (const tl_verdict *k = tl_conn_newest(&rec->conn); k != stop; k = tl_verdict_prev(k))
            g_ptr_array_add(index->kept, (gpointer)k);
        /* The new ones went in newest first: turn them round. */
        for (guint32 i = old, j = index->kept->len - 1; i < j; i++, j--) {
            gpointer t = index->kept->pdata[i];
            index->kept->pdata[i] = index->kept->pdata[j];
            index->kept->pdata[j] = t;
        }
        index->newest = rec->conn.last;
    }
    return index;
}

const tl_verdict *conn_store_verdict_at(const conn_rec *rec, guint32 frame)
{
    const tl_verdict *k = tl_conn_newest(&rec->conn);
    for (int i = 0; k && i < CHAIN_WALK_MAX; i++, k = tl_verdict_prev(k)) {
        if (k->frame <= frame)
            return k;
    }
    if (!k)
        return NULL;
    /* The newest of the indexed ones at or before frame. */
    const GPtrArray *kept = chain_index_of(rec)->kept;
    guint32 after = first_at_or_after(kept, kept_frame_of, 0, kept->len, (guint64)frame + 1);
    return after ? g_ptr_array_index(kept, after - 1) : NULL;
}

const tl_verdict *conn_store_find_kept(const tl_conn *conn, guint32 frame)
{
    const conn_rec *rec = conn_store_get(conn->id);
    const tl_verdict *v = rec ? conn_store_verdict_at(rec, frame) : NULL;
    if (!v || v->frame != frame)
        return NULL;
    /* The first of its verdicts in that frame (a tunnel into itself has two). */
    for (const tl_verdict *p; (p = tl_verdict_prev(v)) && p->frame == frame; )
        v = p;
    return v;
}

conn_rec *conn_store_at(guint32 tcp_stream, guint32 frame, const tl_verdict **v)
{
    /* A stream's connections follow each other on its 4-tuple: each new one
     * opened with a SYN and followed the one before (tl_conn_follow). */
    conn_rec *rec = conn_store_current(tcp_stream);
    while (rec && rec->tcp_stream == tcp_stream) {
        if ((*v = conn_store_verdict_at(rec, frame)))
            return rec;
        rec = rec->conn.has_prev ? conn_store_get(rec->conn.prev_id) : NULL;
    }
    return NULL;
}

void conn_store_note_frame(guint32 frame, guint32 code)
{
    frame_note note = { frame, code };
    g_array_append_val(frame_notes, note);
}

gboolean conn_store_frame_note(guint32 frame, guint32 *code)
{
    if (!frame_notes)
        return FALSE;
    guint32 i = first_at_or_after(frame_notes, note_frame_of, 0, frame_notes->len, frame);
    if (i == frame_notes->len || g_array_index(frame_notes, frame_note, i).frame != frame)
        return FALSE;
    *code = g_array_index(frame_notes, frame_note, i).code;
    return TRUE;
}

void conn_store_remember(guint32 frame, const conn_rec *rec)
{
    remembered[frame % REMEMBERED].frame = frame;
    remembered[frame % REMEMBERED].slot1 = rec->conn.id + 1;
}

const conn_rec *conn_store_of_frame(guint32 frame)
{
    guint32 index = conn_store_first_verdict(frame), code;
    if (!index && conn_store_frame_note(frame, &code))
        index = FRAME_CODE_HIGH(code);
    const tl_verdict *v = conn_store_verdict(index);
    if (v)
        return conn_store_get(v->conn_id);
    if (remembered[frame % REMEMBERED].frame == frame && remembered[frame % REMEMBERED].slot1)
        return conn_store_get(remembered[frame % REMEMBERED].slot1 - 1);
    return NULL;
}

gint64 conn_store_reuse_after(const tl_conn *conn)
{
    const conn_rec *prev = conn->has_prev ? conn_store_get(conn->prev_id) : NULL;
    return prev ? tl_conn_reuse_after(conn, &prev->conn) : 0;
}
