// FFmpeg for Swift: the headers, plus functions for the macros that Swift cannot import and for
// the few calls whose spelling changed between FFmpeg 5.1 (Debian 12) and 6.1/7 (Homebrew), so
// Swift code has one spelling for all of them.
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

// sources
#include <libavutil/display.h>

// A decoded frame's duration in its stream's time base (0: unknown). AVFrame.duration arrived in
// libavutil 57.30 and pkt_duration, deprecated then, is gone from libavutil 59 (FFmpeg 7).
static inline int64_t bd_frame_duration(const AVFrame *frame) {
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 30, 100)
    return frame->duration;
#else
    return frame->pkt_duration;
#endif
}

// A stream's side data of one type (NULL and *size 0 when it has none). FFmpeg 6.1 (libavcodec
// 60.31) moved it to codecpar->coded_side_data and deprecated av_stream_get_side_data, which
// FFmpeg 7 removed.
static inline const uint8_t *bd_stream_side_data(const AVStream *stream, enum AVPacketSideDataType type,
                                                 size_t *size) {
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 31, 100)
    const AVPacketSideData *found = av_packet_side_data_get(stream->codecpar->coded_side_data,
                                                            stream->codecpar->nb_coded_side_data, type);
    *size = found ? found->size : 0;
    return found ? found->data : NULL;
#else
    *size = 0;
    return av_stream_get_side_data(stream, type, size);
#endif
}

// sws_scale into one tightly packed plane (a PixelImage's storage), so no intermediate frame is needed.
static inline int bd_sws_scale_to_plane(struct SwsContext *context, const AVFrame *source,
                                        uint8_t *destination, int destinationStride) {
    uint8_t *planes[4] = { destination, NULL, NULL, NULL };
    int strides[4] = { destinationStride, 0, 0, 0 };
    return sws_scale(context, (const uint8_t *const *)source->data, source->linesize, 0, source->height,
                     planes, strides);
}

// Whether the decoder says a frame is damaged (missing references, concealed slices).
static inline int bd_frame_is_damaged(const AVFrame *frame) {
    return (frame->flags & AV_FRAME_FLAG_CORRUPT) != 0 || frame->decode_error_flags != 0;
}

static inline int bd_averror_demuxer_not_found(void) { return AVERROR_DEMUXER_NOT_FOUND; }
static inline int bd_averror_protocol_not_found(void) { return AVERROR_PROTOCOL_NOT_FOUND; }
static inline int bd_ef_crccheck(void) { return AV_EF_CRCCHECK; }

// sinks
// sws_scale from one tightly packed image (a Swift array's storage) into a frame, or into another
// packed buffer, so a sink converts straight from PixelImage pixels without staging them in an AVFrame.
static inline int bd_sws_scale_packed_to_frame(struct SwsContext *context, const uint8_t *source, int sourceStride,
                                               int height, AVFrame *destination) {
    const uint8_t *planes[4] = { source, NULL, NULL, NULL };
    const int strides[4] = { sourceStride, 0, 0, 0 };
    return sws_scale(context, planes, strides, 0, height, destination->data, destination->linesize);
}

static inline int bd_sws_scale_packed_to_packed(struct SwsContext *context, const uint8_t *source, int sourceStride,
                                                int height, uint8_t *destination, int destinationStride) {
    const uint8_t *planes[4] = { source, NULL, NULL, NULL };
    const int strides[4] = { sourceStride, 0, 0, 0 };
    uint8_t *outPlanes[4] = { destination, NULL, NULL, NULL };
    const int outStrides[4] = { destinationStride, 0, 0, 0 };
    return sws_scale(context, planes, strides, 0, height, outPlanes, outStrides);
}

// The error a muxer's output hit, if any (AVIOContext.error), without Swift reaching into AVIOContext.
static inline int bd_avio_error(const AVFormatContext *context) {
    return context && context->pb ? context->pb->error : 0;
}


// V4L2 (cameras, v4l2loopback): Linux only; Swift code that uses it is behind #if os(Linux).
#ifdef __linux__
#include <sys/ioctl.h>
#include <linux/videodev2.h>

// V4L2 ioctls: the request codes are macros Swift cannot import, and ioctl is variadic.
// Each returns 0 or -errno, retrying when a signal interrupts the call.
static inline int bd_v4l2_ioctl(int fd, unsigned long request, void *argument) {
    int result;
    do { result = ioctl(fd, request, argument); } while (result == -1 && errno == EINTR);
    return result == -1 ? -errno : 0;
}
static inline int bd_v4l2_querycap(int fd, struct v4l2_capability *capability) {
    return bd_v4l2_ioctl(fd, VIDIOC_QUERYCAP, capability);
}
/// Sets an output device's frame interval (VIDIOC_S_PARM, type OUTPUT) to numerator/denominator s.
static inline int bd_v4l2_set_output_interval(int fd, unsigned int numerator, unsigned int denominator) {
    struct v4l2_streamparm parameters;
    memset(&parameters, 0, sizeof parameters);
    parameters.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
    parameters.parm.output.timeperframe.numerator = numerator;
    parameters.parm.output.timeperframe.denominator = denominator;
    return bd_v4l2_ioctl(fd, VIDIOC_S_PARM, &parameters);
}
static inline int bd_v4l2_streamon(int fd, int type) {
    return bd_v4l2_ioctl(fd, VIDIOC_STREAMON, &type);
}
static inline int bd_v4l2_enum_fmt(int fd, struct v4l2_fmtdesc *format) {
    return bd_v4l2_ioctl(fd, VIDIOC_ENUM_FMT, format);
}
static inline int bd_v4l2_enum_framesizes(int fd, struct v4l2_frmsizeenum *size) {
    return bd_v4l2_ioctl(fd, VIDIOC_ENUM_FRAMESIZES, size);
}
static inline int bd_v4l2_enum_frameintervals(int fd, struct v4l2_frmivalenum *interval) {
    return bd_v4l2_ioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, interval);
}

// virtual camera readers: v4l2loopback's private "client usage" event (v0.12.5+; this ID since 0.13)
// tells whether a capture client is streaming from the loopback device.
#define BD_V4L2LOOPBACK_CLIENT_USAGE (V4L2_EVENT_PRIVATE_START + 0x08E00000 + 1)

/// Subscribes `fd` to the usage event, asking for the current state at once. 0, or -errno
/// (-EINVAL: the driver is not v4l2loopback, or too old to report readers).
static inline int bd_v4l2loopback_subscribe_usage(int fd) {
    struct v4l2_event_subscription subscription;
    memset(&subscription, 0, sizeof subscription);
    subscription.type = BD_V4L2LOOPBACK_CLIENT_USAGE;
    subscription.flags = V4L2_EVENT_SUB_FL_SEND_INITIAL;
    ioctl(fd, VIDIOC_UNSUBSCRIBE_EVENT, &subscription);  /* re-subscribing re-sends the state */
    return ioctl(fd, VIDIOC_SUBSCRIBE_EVENT, &subscription) == 0 ? 0 : -errno;
}

/// Takes every pending usage event off a non-blocking `fd`; the newest count goes to `*readers`.
/// Returns how many events were taken, or -errno.
static inline int bd_v4l2loopback_take_usage(int fd, unsigned int *readers) {
    int taken = 0;
    for (;;) {
        struct v4l2_event event;
        memset(&event, 0, sizeof event);
        if (ioctl(fd, VIDIOC_DQEVENT, &event) != 0) return (errno == ENOENT || errno == EAGAIN) ? taken : -errno;
        if (event.type == BD_V4L2LOOPBACK_CLIENT_USAGE) {
            unsigned int count;
            memcpy(&count, event.u.data, sizeof count);
            *readers = count;
            taken++;
        }
    }
}
#endif  // __linux__

#endif
