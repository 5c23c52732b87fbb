/* tcp_header.c — raw TCP header decoding (see tcp_header.h). */
#include "tcp_header.h"

#include "bytes.h"

enum {
    OPT_EOL = 0,
    OPT_NOP = 1,
    OPT_MSS = 2,
    OPT_WSCALE = 3,
    OPT_SACK_PERM = 4,
    OPT_TIMESTAMP = 8
};

static void parse_options(const unsigned char *opt, size_t len, tl_segment *seg)
{
    size_t i = 0;
    while (i < len) {
        unsigned kind = opt[i];
        if (kind == OPT_EOL)
            return;
        if (kind == OPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
            return;     /* malformed or cut off: keep what was read */
        size_t olen = opt[i + 1];
        const unsigned char *val = opt + i + 2;
        switch (kind) {
        case OPT_MSS:
            if (olen == 4)
                seg->mss = tl_get16(val);
            break;
        case OPT_WSCALE:
            if (olen == 3)
                seg->wscale = (int8_t)(val[0] > 14 ? 14 : val[0]);   /* RFC 7323 caps the shift at 14 */
            break;
        case OPT_SACK_PERM:
            seg->sack_perm = olen == 2;
            break;
        case OPT_TIMESTAMP:
            if (olen == 10) {
                seg->has_ts = true;
                seg->tsval = tl_get32(val);
                seg->tsecr = tl_get32(val + 4);
            }
            break;
        default:
            break;
        }
        i += olen;
    }
}

bool tl_parse_tcp_header(const unsigned char *hdr, size_t captured, tl_segment *seg)
{
    if (captured < 20)
        return false;
    seg->sport = tl_get16(hdr);
    seg->dport = tl_get16(hdr + 2);
    seg->seq = tl_get32(hdr + 4);
    seg->ack = tl_get32(hdr + 8);
    seg->flags = hdr[13];
    seg->win = tl_get16(hdr + 14);
    seg->mss = 0;
    seg->wscale = -1;
    seg->sack_perm = false;
    seg->has_ts = false;
    seg->tsval = seg->tsecr = 0;

    size_t hdr_len = (size_t)(hdr[12] >> 4) * 4;
    if (hdr_len > captured)
        hdr_len = captured;
    if (hdr_len > 20)
        parse_options(hdr + 20, hdr_len - 20, seg);
    return true;
}
