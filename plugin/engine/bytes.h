/* bytes.h — big-endian reads from raw packet bytes, for the engine's decoders. */
#ifndef TCPLIFE_BYTES_H
#define TCPLIFE_BYTES_H

#include <stdint.h>

static inline uint16_t tl_get16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t tl_get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif /* TCPLIFE_BYTES_H */
