#include "CPixelKernels.h"
#include <stddef.h>

// The crop is read back at the frame's size in two passes: each source row it reads is widened
// along x once (each output pixel mixes two neighbouring columns: a fixed table for the whole
// frame), then each output row mixes the two widened rows it falls between (contiguous bytes, so
// it vectorises). Weights are in 1/256 and each pass rounds to bytes, so both fit 16-bit lanes (at
// most one level off exact).

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define BD_CROP_KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define BD_CROP_KERNEL
#endif

static inline int clamp_int(int value, int low, int high) { return value < low ? low : (value > high ? high : value); }

// Source pixel centre (left + (i + 0.5) * scale - 0.5) as a first pixel and the second's weight,
// kept inside 0 ... size - 1 (a position past the last pixel takes the last pixel at full weight).
static inline void sample_position(double position, int size, int *first, uint16_t *weight) {
    if (position <= 0) { *first = 0; *weight = 0; return; }
    int whole = (int)position;  // positive: truncation is the floor
    int fraction = (int)((position - whole) * 256.0 + 0.5);
    if (fraction == 256) { whole += 1; fraction = 0; }
    if (whole >= size - 1) { *first = size - 2; *weight = 256; return; }
    *first = whole;
    *weight = (uint16_t)fraction;
}

static inline void mix_columns(const uint8_t *restrict row, const int32_t *restrict offsets, const uint16_t *restrict weights,
                               int channels, int width, uint8_t *restrict out) {
    for (int x = 0; x < width; x++) {
        const uint8_t *left = row + offsets[x];
        const uint16_t b = weights[x], a = (uint16_t)(256 - b);
        for (int c = 0; c < channels; c++) {
            out[x * channels + c] = (uint8_t)((uint16_t)(left[c] * a + left[c + channels] * b + 128) >> 8);
        }
    }
}

BD_CROP_KERNEL
void bd_crop_scale(const uint8_t *restrict source, int width, int height, int channels, double left, double top, double scale,
                   int32_t *restrict column_offsets, uint16_t *restrict column_weights, uint16_t *restrict row,
                   uint8_t *restrict out) {
    for (int x = 0; x < width; x++) {
        int column; uint16_t weight;
        sample_position(left + (x + 0.5) * scale - 0.5, width, &column, &weight);
        column_offsets[x] = column * channels;
        column_weights[x] = weight;
    }
    // Each source row the crop reads is widened along x once (the gather, per pixel), into one of
    // two cached rows; each output row is then the vertical mix of two widened rows, a contiguous
    // loop that vectorises. Zoomed in, fewer source rows than output rows are widened.
    const size_t stride = (size_t)width * channels, wide_length = (size_t)width * channels;
    uint8_t *cache[2] = {(uint8_t *)row, (uint8_t *)row + wide_length};
    int cached[2] = {-1, -1};
    for (int y = 0; y < height; y++) {
        int line; uint16_t below_weight;
        sample_position(top + (y + 0.5) * scale - 0.5, height, &line, &below_weight);
        const uint8_t *wide[2];
        for (int k = 0; k < 2; k++) {
            const int wanted = line + k;
            int slot = cached[0] == wanted ? 0 : (cached[1] == wanted ? 1 : -1);
            if (slot < 0) {
                slot = (cached[0] == line || cached[0] == line + 1) ? 1 : 0;  // keep the other row of this pair
                const uint8_t *source_row = source + (size_t)wanted * stride;
                if (channels == 3) mix_columns(source_row, column_offsets, column_weights, 3, width, cache[slot]);
                else if (channels == 4) mix_columns(source_row, column_offsets, column_weights, 4, width, cache[slot]);
                else mix_columns(source_row, column_offsets, column_weights, clamp_int(channels, 1, 4), width, cache[slot]);
                cached[slot] = wanted;
            }
            wide[k] = cache[slot];
        }
        const uint16_t b = below_weight, a = (uint16_t)(256 - b);
        uint8_t *target = out + (size_t)y * stride;
        const uint8_t *above = wide[0], *below = wide[1];
        for (size_t i = 0; i < wide_length; i++) target[i] = (uint8_t)((uint16_t)(above[i] * a + below[i] * b + 128) >> 8);
    }
}
