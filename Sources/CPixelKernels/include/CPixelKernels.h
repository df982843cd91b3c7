// Per-pixel loops of BackdropEffects that Swift's compiler vectorises poorly on x86-64: its
// baseline (SSE2) has no byte shuffles, and interleaved RGB needs them. Written in C so clang
// builds each one twice on x86-64 Linux (AVX2 and baseline, chosen once at load time by the CPU;
// see pixel_kernels.c) and vectorises for NEON on arm64. Plain loops over caller-owned buffers:
// no allocation, no state.
#ifndef CPIXELKERNELS_H
#define CPIXELKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// One row of half-size weights (one byte a pixel) brought to `width` pixels (bilinear, exact 2x:
/// 3/4 of the nearest half-size pixel, 1/4 of the next one out) and repeated for each of the first
/// three channels of `channels` (3 or 4; a fourth channel's byte is 255) into `wide`.
void bd_widen_weights_2x(const uint8_t *half, int width, int channels, uint8_t *wide);

/// One row of a reduced image (`channels` bytes a pixel, `width` / `factor` pixels rounded up)
/// brought to `width` pixels along the row, bilinear with pixel centres at +0.5 and the edges
/// clamped; `factor` is 2 or 4 (the half and quarter sizes of BackdropCore's HalfScale).
void bd_widen_row(const uint8_t *small, int width, int channels, int factor, uint8_t *wide);

/// The weight byte (0: background, 255: person) of each confidence value of `mask` through the
/// matte curve: 0 at or below `low`, 255 at or above `high`, between them a straight ramp or, when
/// `eased`, smoothstep (as BackdropEffects' MatteCurve.weight), rounded. NaN counts as 0.
void bd_matte_weights(const float *mask, int count, float low, float high, int eased, uint8_t *weights);

/// One frame row of `count` bytes, blended in place: the weight is `above` and `below` weight rows
/// mixed by `weight_below` (0...256), the background `background_above` and `background_below` mixed
/// by `background_below_weight`; then `out = (out * w + background * (256 - w) + 128) >> 8` with
/// `w` the weight byte made 0...256 (255 keeps the frame's byte exactly).
void bd_blend_row(uint8_t *out, const uint8_t *above, const uint8_t *below, uint16_t weight_below,
                  const uint8_t *background_above, const uint8_t *background_below, uint16_t background_below_weight,
                  int count);

/// One output row of the guided filter: per pixel x, `q = a * luma + b` clamped to 0...1, with `a`
/// and `b` read from the working-size rows `slope` and `offset` between `first[x]` and `second[x]`
/// (`second` weighing `weight[x]`, 0...1) and luma (BT.601: 77, 150, 29 over 256, on 0...1) from the
/// guide's row `line` (`channels` bytes a pixel; 1: grey).
void bd_guided_row(const float *slope, const float *offset, const int32_t *first, const int32_t *second,
                   const float *weight, const uint8_t *line, int channels, int width, float *out);

/// The luma (BT.601: 77, 150, 29 over 256; on 0...1) of each 2x2 block of `image` (`width` x
/// `height`, both even, `channels` bytes a pixel; 1: grey), averaged, into `luma` (`width / 2` x `height / 2`).
void bd_luma_half(const uint8_t *image, int width, int height, int channels, float *luma);

/// The mean of each 2x2 block of `plane` (`width` x `height`, both even) into `half`.
void bd_mean_half(const float *plane, int width, int height, float *half);

/// The background's share of each pixel, premultiplied, for a blur of the background alone:
/// per pixel `b = 255 - person[i]` (`person`: weight bytes, 255 person) and `out` (4 bytes a pixel)
/// = the first three channels of `image` (`channels` bytes a pixel) times `b / 255`, then `b`.
void bd_premultiply_background(const uint8_t *image, const uint8_t *person, int count, int channels, uint8_t *out);

/// Undoes `bd_premultiply_background` after a blur: each of the first three channels of `blurred`
/// (4 bytes a pixel) divided by its fourth, the blurred background share, into `out` (`channels`
/// bytes a pixel). Where that share is below `minimum_share` (nothing of the background within
/// reach: deep inside the person, where the composite shows none of it) the pixel of `fallback`
/// (laid out as `out`) is taken instead. A fourth channel of `out` comes from `fallback`.
void bd_unpremultiply(const uint8_t *blurred, const uint8_t *fallback, int count, int channels, int minimum_share,
                      uint8_t *out);

/// The largest of each pixel's 3x3 neighbourhood of `plane` (`width` x `height`, one byte a pixel;
/// edges clamped) into `out`, through `scratch` (the same size): a dilation by one pixel.
void bd_dilate_3x3(const uint8_t *plane, int width, int height, uint8_t *scratch, uint8_t *out);

// ---- Face hiding (face_regions.c): rectangles of a frame made unrecognisable, in place -----------
// The rectangle is [left, right) x [top, bottom) of an image whose rows are `stride` bytes apart,
// `channels` bytes a pixel; the caller clips it to the image. Nothing outside it is read or written.

/// Each `cell` x `cell` block of the rectangle (aligned to its top-left corner; the last row and
/// column of blocks cut short) filled with the block's mean, rounded.
void bd_pixelate_rect(uint8_t *image, int stride, int channels, int left, int top, int right, int bottom, int cell);

/// The rectangle blurred the cheap way: averaged down by `factor` (blocks of `factor` x `factor`),
/// three box passes of `radius` each way at that size, and brought back up bilinearly. Costs about
/// two reads and a write of the rectangle whatever the blur's reach (`factor * radius * 3`
/// pixels). `small` is scratch for `ceil(width / factor) * ceil(height / factor) * channels`
/// bytes, `line` for `max` of those sides `* channels`, `columns` for the rectangle's width,
/// `rows` for twice its width `* channels`.
void bd_blur_rect(uint8_t *image, int stride, int channels, int left, int top, int right, int bottom,
                  int factor, int radius, uint8_t *small, uint8_t *line, int32_t *columns, uint16_t *rows);

/// The crop of `source` (`width` x `height`, `channels` bytes a pixel, both sides at least 2) whose
/// top-left corner is at (`left`, `top`) and whose size is the frame's times `scale` (at most 1),
/// brought back to `width` x `height` (bilinear, pixel centres at +0.5, edges clamped) into `out`,
/// which must not overlap `source`. Caller-owned scratch: `column_offsets` and `column_weights`
/// hold `width` entries, `row` `width * channels`.
void bd_crop_scale(const uint8_t *source, int width, int height, int channels, double left, double top, double scale,
                   int32_t *column_offsets, uint16_t *column_weights, uint16_t *row, uint8_t *out);

#endif
