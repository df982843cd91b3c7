// Face hiding's kernels: see CPixelKernels.h. Plain loops (the rectangles are small: a few hundred
// pixels a side), kept apart from pixel_kernels.c's per-CPU builds because they need none.
#include "CPixelKernels.h"

#include <stddef.h>

static inline void pixelate_rect(uint8_t *image, int stride, int channels, int left, int top, int right, int bottom,
                                 int cell) {
  for (int y0 = top; y0 < bottom; y0 += cell) {
    int y1 = y0 + cell < bottom ? y0 + cell : bottom;
    for (int x0 = left; x0 < right; x0 += cell) {
      int x1 = x0 + cell < right ? x0 + cell : right;
      uint32_t sums[4] = {0, 0, 0, 0};
      for (int y = y0; y < y1; y++) {
        const uint8_t *p = image + (size_t)y * stride + (size_t)x0 * channels;
        for (int x = x0; x < x1; x++, p += channels)
          for (int c = 0; c < channels; c++) sums[c] += p[c];
      }
      uint32_t count = (uint32_t)((y1 - y0) * (x1 - x0));
      uint8_t mean[4];
      for (int c = 0; c < channels; c++) mean[c] = (uint8_t)((sums[c] + count / 2) / count);
      for (int y = y0; y < y1; y++) {
        uint8_t *p = image + (size_t)y * stride + (size_t)x0 * channels;
        for (int x = x0; x < x1; x++, p += channels)
          for (int c = 0; c < channels; c++) p[c] = mean[c];
      }
    }
  }
}

// Entered with a literal channel count, so the compiler unrolls the channel loops for RGB and RGBA.
void bd_pixelate_rect(uint8_t *image, int stride, int channels, int left, int top, int right, int bottom, int cell) {
  if (cell < 1 || right <= left || bottom <= top || channels < 1 || channels > 4) return;
  if (channels == 3) pixelate_rect(image, stride, 3, left, top, right, bottom, cell);
  else if (channels == 4) pixelate_rect(image, stride, 4, left, top, right, bottom, cell);
  else pixelate_rect(image, stride, channels, left, top, right, bottom, cell);
}

// One line of `count` pixels, `step` bytes apart, box-blurred in place through `line` (a copy).
static void blur_line(uint8_t *start, int step, int count, int channels, int radius, uint8_t *line) {
  for (int i = 0; i < count; i++)
    for (int c = 0; c < channels; c++) line[i * channels + c] = start[(size_t)i * step + c];
  // Fixed-point reciprocal of the box's width: sum * scale >> 24 is the mean, rounded.
  const uint64_t scale = ((uint64_t)1 << 24) / (uint64_t)(2 * radius + 1);
  const int last = count - 1;
  for (int c = 0; c < channels; c++) {
    uint32_t sum = 0;
    for (int k = -radius; k <= radius; k++) {
      int i = k < 0 ? 0 : (k > last ? last : k);
      sum += line[i * channels + c];
    }
    for (int i = 0; i < count; i++) {
      start[(size_t)i * step + c] = (uint8_t)(((uint64_t)sum * scale + ((uint64_t)1 << 23)) >> 24);
      int enter = i + radius + 1, leave = i - radius;
      enter = enter > last ? last : enter;
      leave = leave < 0 ? 0 : leave;
      sum += line[enter * channels + c];
      sum -= line[leave * channels + c];
    }
  }
}

// One small row brought to `width` pixels along x (bilinear by `columns`), as value * 256.
static inline void widen_row(const uint8_t *row, const int32_t *columns, int width, int channels, int small_width,
                             uint16_t *wide) {
  for (int x = 0; x < width; x++) {
    const int column0 = columns[x] >> 8, weight_right = columns[x] & 255;
    const int column1 = column0 + 1 < small_width ? column0 + 1 : column0;
    for (int c = 0; c < channels; c++)
      wide[x * channels + c] = (uint16_t)(row[column0 * channels + c] * (256 - weight_right) + row[column1 * channels + c] * weight_right);
  }
}

static inline void blur_rect(uint8_t *image, int stride, int channels, int left, int top, int right, int bottom,
                             int factor, int radius, uint8_t *small, uint8_t *line, int32_t *columns, uint16_t *rows) {
  const int width = right - left, height = bottom - top;
  const int small_width = (width + factor - 1) / factor, small_height = (height + factor - 1) / factor;
  const int small_stride = small_width * channels;
  // 1. Each factor x factor block's mean (the blocks of the last row and column cut short).
  for (int sy = 0; sy < small_height; sy++) {
    const int y0 = top + sy * factor, y1 = y0 + factor < bottom ? y0 + factor : bottom;
    for (int sx = 0; sx < small_width; sx++) {
      const int x0 = left + sx * factor, x1 = x0 + factor < right ? x0 + factor : right;
      uint32_t sums[4] = {0, 0, 0, 0};
      for (int y = y0; y < y1; y++) {
        const uint8_t *p = image + (size_t)y * stride + (size_t)x0 * channels;
        for (int x = x0; x < x1; x++, p += channels)
          for (int c = 0; c < channels; c++) sums[c] += p[c];
      }
      const uint32_t count = (uint32_t)((y1 - y0) * (x1 - x0));
      for (int c = 0; c < channels; c++) small[sy * small_stride + sx * channels + c] = (uint8_t)((sums[c] + count / 2) / count);
    }
  }
  // 2. Three box passes each way on the small copy (close to a Gaussian: no blocks show).
  if (radius > 0) {
    for (int pass = 0; pass < 3; pass++) {
      for (int sy = 0; sy < small_height; sy++) blur_line(small + sy * small_stride, channels, small_width, channels, radius, line);
      for (int sx = 0; sx < small_width; sx++) blur_line(small + sx * channels, small_stride, small_height, channels, radius, line);
    }
  }
  // 3. Back into the rectangle, bilinear (pixel centres at +0.5, edges clamped), 8-bit weights;
  //    each column's source pair and weight worked out once: (offset of the left one) << 8 | weight.
  for (int x = 0; x < width; x++) {
    const int across = (2 * x + 1) * 128 / factor - 128;
    const int clamped_x = across < 0 ? 0 : across;
    int column0 = clamped_x >> 8;
    int weight_right = column0 + 1 < small_width ? (clamped_x & 255) : 0;
    if (column0 >= small_width) column0 = small_width - 1;
    columns[x] = (column0 << 8) | weight_right;
  }
  // Rows widened along x once each (16-bit: value * 256), two kept; then each output row is the
  // vertical mix of two widened rows: contiguous loops the compiler vectorises.
  uint16_t *wide_above = rows, *wide_below = rows + (size_t)width * channels;
  int have_above = -1, have_below = -1;
  for (int y = 0; y < height; y++) {
    const int position = (2 * y + 1) * 128 / factor - 128;  // source row in 1/256ths
    const int clamped = position < 0 ? 0 : position;
    int row0 = clamped >> 8;
    const int weight_below = row0 + 1 < small_height ? (clamped & 255) : 0;
    if (row0 >= small_height) row0 = small_height - 1;
    const int row1 = row0 + 1 < small_height ? row0 + 1 : row0;
    if (have_above != row0) {
      if (have_below == row0) {  // moving down one row: the old lower row is the new upper one
        uint16_t *swap = wide_above; wide_above = wide_below; wide_below = swap; have_above = row0; have_below = -1;
      } else {
        widen_row(small + row0 * small_stride, columns, width, channels, small_width, wide_above); have_above = row0;
      }
    }
    if (have_below != row1) { widen_row(small + row1 * small_stride, columns, width, channels, small_width, wide_below); have_below = row1; }
    uint8_t *out = image + (size_t)(top + y) * stride + (size_t)left * channels;
    const uint32_t below = (uint32_t)weight_below, above = 256u - below;
    for (int k = 0; k < width * channels; k++)
      out[k] = (uint8_t)((wide_above[k] * above + wide_below[k] * below + 32768u) >> 16);
  }
}

void bd_blur_rect(uint8_t *image, int stride, int channels, int left, int top, int right, int bottom,
                  int factor, int radius, uint8_t *small, uint8_t *line, int32_t *columns, uint16_t *rows) {
  if (factor < 1 || right <= left || bottom <= top || channels < 1 || channels > 4) return;
  if (channels == 3) blur_rect(image, stride, 3, left, top, right, bottom, factor, radius, small, line, columns, rows);
  else if (channels == 4) blur_rect(image, stride, 4, left, top, right, bottom, factor, radius, small, line, columns, rows);
  else blur_rect(image, stride, channels, left, top, right, bottom, factor, radius, small, line, columns, rows);
}
