#include <zlib.h>
/* inflateInit2 is a macro: wrap it for Swift. windowBits 16+15 reads gzip. */
static inline int czlib_inflate_init_gzip(z_stream *s) { return inflateInit2(s, 16 + MAX_WBITS); }
