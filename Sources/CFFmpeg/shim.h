// FFmpeg 5.1 (Debian 12 -dev packages) for Swift: the headers, plus functions for the
// macros that Swift cannot import.
#ifndef BACKDROP_CFFMPEG_SHIM_H
#define BACKDROP_CFFMPEG_SHIM_H

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

static inline int bd_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int bd_averror_eof(void) { return AVERROR_EOF; }
static inline int64_t bd_av_nopts_value(void) { return AV_NOPTS_VALUE; }

#endif
