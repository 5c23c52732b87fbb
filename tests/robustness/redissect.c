/* redissect: GUI-style re-dissection equivalence check (tests/robustness/README.md).
 *
 *   redissect [--seed N] [--rounds N] [--dump] CAPTURE
 *
 * Loads libwireshark with its plugins (tcplife among them: run it unprivileged
 * with WIRESHARK_PLUGIN_DIR, as the integration harness runs tshark), then:
 *   pass 1  every frame in order, no tree (tshark -2's first pass);
 *   pass 2  every frame in order with a visible tree: the reference text of
 *           each frame's "tcplife" subtree (what tshark -2 -V prints);
 *   pass 3+ every frame again in a random order (seeded; --rounds times), as
 *           the GUI re-dissects the packet the user clicks on, comparing each
 *           frame's tcplife subtree text with the reference.
 * Exit 0: identical everywhere; 1: a difference (printed); 2: usage / setup.
 * Also fails (1) when no frame had a tcplife subtree at all (module not loaded). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <wireshark.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/frame_data.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/tvbuff.h>
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>
#include <wsutil/filesystem.h>
#include <wsutil/privileges.h>
#include <wsutil/wslog.h>

struct packet_provider_data {
    GPtrArray *frames;  /* frame_data *, index = number - 1 */
};

static const nstime_t *get_frame_ts(struct packet_provider_data *prov, guint32 num)
{
    if (num == 0 || num > prov->frames->len)
        return NULL;
    return &((frame_data *)g_ptr_array_index(prov->frames, num - 1))->abs_ts;
}

static const struct packet_provider_funcs funcs = { get_frame_ts, NULL, NULL, NULL };

static int proto_tcplife = -1;

static void dump_node(proto_node *node, gpointer data);

static void dump_tree(proto_node *node, GString *out, int depth)
{
    field_info *fi = PNODE_FINFO(node);
    if (fi) {
        char label[ITEM_LABEL_LENGTH];
        label[0] = '\0';
        if (fi->rep)
            g_strlcpy(label, fi->rep->representation, sizeof label);
        else
            proto_item_fill_label(fi, label);
        g_string_append_printf(out, "%*s%s\n", depth * 2, "", label);
    }
    GString *saved = out;
    struct { GString *out; int depth; } ctx = { saved, depth + 1 };
    proto_tree_children_foreach(node, dump_node, &ctx);
}

static void dump_node(proto_node *node, gpointer data)
{
    struct { GString *out; int depth; } *ctx = data;
    dump_tree(node, ctx->out, ctx->depth);
}

struct find_ctx { GString *out; };

static void find_tcplife(proto_node *node, gpointer data)
{
    struct find_ctx *fc = data;
    field_info *fi = PNODE_FINFO(node);
    if (fi && fi->hfinfo && fi->hfinfo->id == proto_tcplife)
        dump_tree(node, fc->out, 0);
}

static gboolean read_frame(wtap *wth, frame_data *fd, wtap_rec *rec, Buffer *buf)
{
    int err = 0;
    gchar *err_info = NULL;
    wtap_rec_reset(rec);
    if (!wtap_seek_read(wth, fd->file_off, rec, buf, &err, &err_info)) {
        fprintf(stderr, "redissect: cannot re-read frame %u: %s\n", fd->num,
                err_info ? err_info : wtap_strerror(err));
        g_free(err_info);
        return FALSE;
    }
    return TRUE;
}

/* Dissect one (already read) frame with a visible tree; return its tcplife text. */
static gchar *dissect_text(epan_t *session, wtap *wth, frame_data *fd, wtap_rec *rec, Buffer *buf)
{
    epan_dissect_t edt;
    epan_dissect_init(&edt, session, TRUE, TRUE);
    tvbuff_t *tvb = tvb_new_real_data(ws_buffer_start_ptr(buf), fd->cap_len, fd->pkt_len);
    epan_dissect_run(&edt, wtap_file_type_subtype(wth), rec, tvb, fd, NULL);
    GString *out = g_string_new(NULL);
    struct find_ctx fc = { out };
    if (edt.tree)
        proto_tree_children_foreach(edt.tree, find_tcplife, &fc);
    epan_dissect_cleanup(&edt);
    return g_string_free(out, FALSE);
}

int main(int argc, char **argv)
{
    guint32 seed = 20261121;
    int rounds = 2;
    const char *path = NULL;
    gboolean dump = FALSE;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = (guint32)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dump"))
            dump = TRUE;   /* print the pass-2 (reference) text of every frame */
        else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: redissect [--seed N] [--rounds N] [--dump] CAPTURE\n");
        return 2;
    }

    ws_log_init("redissect", NULL);
    init_process_policies();
    char *cfg_err = configuration_init(argv[0], NULL);
    if (cfg_err) {
        fprintf(stderr, "redissect: configuration_init: %s\n", cfg_err);
        g_free(cfg_err);
    }
    wtap_init(TRUE);
    if (!epan_init(NULL, NULL, TRUE)) {
        fprintf(stderr, "redissect: epan_init failed\n");
        return 2;
    }
    epan_load_settings();
    proto_tcplife = proto_get_id_by_filter_name("tcplife");
    if (proto_tcplife < 0) {
        fprintf(stderr, "redissect: no protocol tcplife: the module was not loaded "
                        "(as root no WIRESHARK_PLUGIN_DIR plugin is loaded; run unprivileged)\n");
        return 1;
    }

    int err = 0;
    gchar *err_info = NULL;
    wtap *wth = wtap_open_offline(path, WTAP_TYPE_AUTO, &err, &err_info, TRUE);
    if (!wth) {
        fprintf(stderr, "redissect: cannot open %s: %s\n", path, err_info ? err_info : wtap_strerror(err));
        return 2;
    }

    struct packet_provider_data prov = { g_ptr_array_new_with_free_func(g_free) };
    epan_t *session = epan_new(&prov, &funcs);

    wtap_rec rec;
    Buffer buf;
    wtap_rec_init(&rec);
    ws_buffer_init(&buf, 1514);

    /* pass 1: in order, no tree */
    gint64 offset;
    guint32 cum_bytes = 0;
    nstime_t elapsed = NSTIME_INIT_ZERO;
    const frame_data *ref = NULL;
    frame_data *prev_dis = NULL;
    while (wtap_read(wth, &rec, &buf, &err, &err_info, &offset)) {
        frame_data *fd = g_new0(frame_data, 1);
        frame_data_init(fd, prov.frames->len + 1, &rec, offset, cum_bytes);
        g_ptr_array_add(prov.frames, fd);
        frame_data_set_before_dissect(fd, &elapsed, &ref, prev_dis);
        epan_dissect_t edt;
        /* as tshark's first pass: a tree only for the post-dissectors' wanted fields */
        gboolean want = postdissectors_want_hfids();
        epan_dissect_init(&edt, session, want, FALSE);
        if (want)
            prime_epan_dissect_with_postdissector_wanted_hfids(&edt);
        tvbuff_t *tvb = tvb_new_real_data(ws_buffer_start_ptr(&buf), fd->cap_len, fd->pkt_len);
        epan_dissect_run(&edt, wtap_file_type_subtype(wth), &rec, tvb, fd, NULL);
        epan_dissect_cleanup(&edt);
        frame_data_set_after_dissect(fd, &cum_bytes);
        fd->visited = 1;
        prev_dis = fd;
        wtap_rec_reset(&rec);
    }
    if (err) {
        fprintf(stderr, "redissect: read error: %s\n", err_info ? err_info : wtap_strerror(err));
        g_free(err_info);
    }
    guint n = prov.frames->len;

    /* pass 2: in order with a tree: the reference */
    gchar **ref_text = g_new0(gchar *, n + 1);
    guint with_tree = 0;
    for (guint i = 0; i < n; i++) {
        frame_data *fd = g_ptr_array_index(prov.frames, i);
        if (!read_frame(wth, fd, &rec, &buf))
            return 2;
        ref_text[i] = dissect_text(session, wth, fd, &rec, &buf);
        if (ref_text[i][0])
            with_tree++;
        if (dump)
            printf("frame %u\n%s", fd->num, ref_text[i]);
    }

    /* pass 3+: random order */
    GRand *rng = g_rand_new_with_seed(seed);
    guint *order = g_new(guint, n ? n : 1);
    int differences = 0;
    for (int r = 0; r < rounds; r++) {
        for (guint i = 0; i < n; i++)
            order[i] = i;
        for (guint i = n; i > 1; i--) {
            guint j = (guint)g_rand_int_range(rng, 0, (gint32)i);
            guint t = order[i - 1]; order[i - 1] = order[j]; order[j] = t;
        }
        for (guint k = 0; k < n; k++) {
            frame_data *fd = g_ptr_array_index(prov.frames, order[k]);
            if (!read_frame(wth, fd, &rec, &buf))
                return 2;
            gchar *text = dissect_text(session, wth, fd, &rec, &buf);
            if (strcmp(text, ref_text[order[k]]) != 0) {
                if (differences < 10)
                    printf("frame %u (round %d, position %u) differs\n--- two-pass:\n%s+++ re-dissected:\n%s\n",
                           fd->num, r + 1, k + 1, ref_text[order[k]], text);
                differences++;
            }
            g_free(text);
        }
    }
    printf("%s: %u frames, %u with a tcplife tree, %d random round(s) (seed %u): %d difference(s)\n",
           path, n, with_tree, rounds, seed, differences);

    g_rand_free(rng);
    g_free(order);
    for (guint i = 0; i < n; i++)
        g_free(ref_text[i]);
    g_free(ref_text);
    ws_buffer_free(&buf);
    wtap_rec_cleanup(&rec);
    epan_free(session);
    wtap_close(wth);
    g_ptr_array_free(prov.frames, TRUE);
    epan_cleanup();
    if (n > 0 && with_tree == 0) {
        printf("no frame had a tcplife tree: module not loaded, or nothing analysed\n");
        return 1;
    }
    return differences ? 1 : 0;
}
