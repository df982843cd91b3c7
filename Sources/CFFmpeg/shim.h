// FFmpeg 5.1 (Debian 12 -dev packages) for Swift: the headers, plus functions for the
// macros that Swift cannot import.
#ifndef BACKDROP_CFFMPEG_SHIM_H
#define BACKDROP_CFFMPEG_SHIM_H

#include <errno.h>
#include <string.h>
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

static inline int bd_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int bd_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int bd_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int bd_averror_patchwelcome(void) { return AVERROR_PATCHWELCOME; }
static inline int bd_averror(int errnum) { return AVERROR(errnum); }

// sws_scale over whole frames, so Swift need not rebind AVFrame's fixed-size data/linesize arrays.
static inline int bd_sws_scale_frame(struct SwsContext *context, const AVFrame *source, AVFrame *destination) {
    return sws_scale(context, (const uint8_t *const *)source->data, source->linesize, 0, source->height,
                     destination->data, destination->linesize);
}

// Zeroes all of a frame's buffers, padding included, so SIMD code that reads past a row's end
// (libswscale, the MJPEG encoder) sees defined bytes and output is deterministic.
static inline void bd_frame_zero_buffers(AVFrame *frame) {
    for (int i = 0; i < AV_NUM_DATA_POINTERS; i++) {
        if (frame->buf[i]) memset(frame->buf[i]->data, 0, frame->buf[i]->size);
    }
}

#endif
