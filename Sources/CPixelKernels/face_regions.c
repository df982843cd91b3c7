// Face hiding's kernels: see CPixelKernels.h. Plain loops (the rectangles are small: a few hundred
// pixels a side), kept apart from pixel_kernels.c's per-CPU builds because they need none.
#include "CPixelKernels.h"

#include <stddef.h>

void bd_pixelate_rect(uint8_t *image, int stride, int channels, int left, int top, int right, int bottom, int cell) {
  if (cell < 1 || right <= left || bottom <= top) return;
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

void bd_blur_rect(uint8_t *image, int stride, int channels, int left, int top, int right, int bottom,
                  int radius, int passes, uint8_t *line) {
  if (radius < 1 || right <= left || bottom <= top) return;
  const int width = right - left, height = bottom - top;
  for (int pass = 0; pass < passes; pass++) {
    for (int y = top; y < bottom; y++)
      blur_line(image + (size_t)y * stride + (size_t)left * channels, channels, width, channels, radius, line);
    for (int x = left; x < right; x++)
      blur_line(image + (size_t)top * stride + (size_t)x * channels, stride, height, channels, radius, line);
  }
}
