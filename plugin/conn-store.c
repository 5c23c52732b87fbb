/* conn-store.c — file-scope storage of connections and per-frame codes. */
#include "conn-store.h"

#include <epan/wmem_scopes.h>

static GPtrArray *conns;        /* slot -> conn_rec*, records in wmem file scope */
static GArray *stream_slots;    /* tcp.stream -> current slot + 1 */
static GArray *frame_codes;     /* frame number -> code */

void conn_store_init(void)
{
    conns = g_ptr_array_new();
    stream_slots = g_array_new(FALSE, TRUE, sizeof(guint32));
    frame_codes = g_array_new(FALSE, TRUE, sizeof(guint32));
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
}

conn_rec *conn_store_current(guint32 tcp_stream)
{
    if (tcp_stream >= stream_slots->len)
        return NULL;
    guint32 slot1 = g_array_index(stream_slots, guint32, tcp_stream);
    return slot1 ? g_ptr_array_index(conns, slot1 - 1) : NULL;
}

conn_rec *conn_store_open(guint32 tcp_stream, guint16 a_sport, const address *a_src)
{
    guint32 slot = conns->len;
    if (slot >= FRAME_CODE_HIGH_MAX)
        return NULL;
    conn_rec *rec = wmem_new0(wmem_file_scope(), conn_rec);
    tl_conn_init(&rec->conn, slot);
    rec->tcp_stream = tcp_stream;
    rec->a_sport = a_sport;
    copy_address_wmem(wmem_file_scope(), &rec->a_src, a_src);
    g_ptr_array_add(conns, rec);
    if (tcp_stream >= stream_slots->len)
        g_array_set_size(stream_slots, tcp_stream + 1);
    g_array_index(stream_slots, guint32, tcp_stream) = slot + 1;
    return rec;
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
