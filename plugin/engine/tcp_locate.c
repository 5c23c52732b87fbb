/* tcp_locate.c — find a TCP header behind its IP header (see tcp_locate.h). */
#include "tcp_locate.h"

#include "bytes.h"

enum {
    IPPROTO_HOPOPTS_ = 0,
    IPPROTO_TCP_ = 6,
    IPPROTO_ROUTING_ = 43,
    IPPROTO_FRAGMENT_ = 44,
    IPPROTO_AH_ = 51,
    IPPROTO_DSTOPTS_ = 60,
    MAX_EXT_HEADERS = 8
};

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Walk the headers between IP and TCP (AH; IPv6 options, routing and atomic
 * fragment headers) from *off with next header *nh. False when the chain
 * leads elsewhere or runs out of captured bytes. */
static bool skip_to_tcp(const unsigned char *buf, size_t captured, bool ipv6, uint8_t *nh, size_t *off)
{
    for (int i = 0; i < MAX_EXT_HEADERS && *nh != IPPROTO_TCP_; i++) {
        if (*off + 8 > captured)
            return false;
        const unsigned char *h = buf + *off;
        size_t len;
        switch (*nh) {
        case IPPROTO_AH_:
            len = ((size_t)h[1] + 2) * 4;
            break;
        case IPPROTO_HOPOPTS_:
        case IPPROTO_ROUTING_:
        case IPPROTO_DSTOPTS_:
            if (!ipv6)
                return false;
            len = ((size_t)h[1] + 1) * 8;
            break;
        case IPPROTO_FRAGMENT_:
            /* A real fragment is dissected as TCP only once reassembled, elsewhere. */
            if (!ipv6 || (tl_get16(h + 2) & 0xfff9) != 0)
                return false;
            len = 8;
            break;
        default:
            return false;
        }
        *nh = h[0];
        *off += len;
    }
    return *nh == IPPROTO_TCP_;
}

static bool ports_at(const unsigned char *buf, size_t captured, size_t off, uint16_t sport, uint16_t dport)
{
    return off + 4 <= captured && tl_get16(buf + off) == sport && tl_get16(buf + off + 2) == dport;
}

static bool try_ipv4(const unsigned char *buf, size_t captured, size_t reported, size_t off,
                     uint16_t sport, uint16_t dport, tl_tcp_spot *spot)
{
    const unsigned char *h = buf + off;
    size_t ihl = (size_t)(h[0] & 0x0f) * 4;
    if (ihl < 20 || off + ihl > captured || (tl_get16(h + 6) & 0x1fff) != 0)
        return false;
    size_t ip_len = tl_get16(h + 2);
    if (ip_len != 0 && ip_len < ihl)
        return false;       /* Wireshark gives up on such a header */
    uint8_t nh = h[9];
    size_t tcp_off = off + ihl;
    if (!skip_to_tcp(buf, captured, false, &nh, &tcp_off) || !ports_at(buf, captured, tcp_off, sport, dport))
        return false;
    size_t on_wire = reported - off;
    spot->tcp_off = tcp_off;
    spot->seg_end = off + (ip_len == 0 ? on_wire : min_size(ip_len, on_wire));
    spot->addr_off = off + 12;
    spot->addr_len = 4;
    return true;
}

static bool try_ipv6(const unsigned char *buf, size_t captured, size_t reported, size_t off,
                     uint16_t sport, uint16_t dport, tl_tcp_spot *spot)
{
    if (off + 40 > captured)
        return false;
    const unsigned char *h = buf + off;
    size_t plen = tl_get16(h + 4);
    uint8_t nh = h[6];
    size_t tcp_off = off + 40;
    if (!skip_to_tcp(buf, captured, true, &nh, &tcp_off) || !ports_at(buf, captured, tcp_off, sport, dport))
        return false;
    size_t on_wire = reported - off;
    /* A zero payload length is a jumbogram or TSO: the frame says how long. (With
     * Wireshark's IPv6 TSO preference off, TCP fails on such a header before it
     * leaves its ports, so the glue never looks for it.) */
    if (plen == 0)
        plen = on_wire - 40;
    spot->tcp_off = tcp_off;
    spot->seg_end = off + min_size(40 + plen, on_wire);
    spot->addr_off = off + 8;
    spot->addr_len = 16;
    return true;
}

bool tl_find_tcp(const unsigned char *buf, size_t captured, size_t reported, size_t from,
                 uint16_t sport, uint16_t dport, tl_tcp_spot *spot)
{
    if (reported < captured)
        reported = captured;
    for (size_t off = from; off + 20 <= captured; off++) {
        unsigned version = buf[off] >> 4;
        if (version == 4 && try_ipv4(buf, captured, reported, off, sport, dport, spot))
            return true;
        if (version == 6 && try_ipv6(buf, captured, reported, off, sport, dport, spot))
            return true;
    }
    return false;
}

bool tl_tcp_at_start(const unsigned char *buf, size_t captured, size_t reported,
                     uint16_t sport, uint16_t dport, tl_tcp_spot *spot)
{
    if (!ports_at(buf, captured, 0, sport, dport))
        return false;
    spot->tcp_off = 0;
    spot->seg_end = reported < captured ? captured : reported;
    spot->addr_off = 0;
    spot->addr_len = 0;
    return true;
}

bool tl_icmp_error_before(const unsigned char *buf, size_t ip_off, bool v6, uint8_t *type, uint8_t *code)
{
    if (ip_off < 8)
        return false;
    *type = buf[ip_off - 8];
    *code = buf[ip_off - 7];
    if (v6)
        return *type >= 1 && *type <= 4;
    return *type == 3 || *type == 4 || *type == 11 || *type == 12;
}
