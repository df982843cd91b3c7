#include "CPixelKernels.h"

// On x86-64 Linux each kernel is compiled for AVX2 and for the baseline, and the dynamic loader
// picks one for the CPU it runs on (an ifunc). Elsewhere (arm64's NEON is its baseline; Mach-O
// has no ifuncs) there is one build.
#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define BD_VECTOR_KERNEL __attribute__((target_clones("avx2", "default")))
#else
#define BD_VECTOR_KERNEL
#endif

// Sums are written as 16-bit on purpose: C promotes to int, and 32-bit lanes would halve the
// vectors. Every one fits: 255 * 256 + 128 < 65536.

BD_VECTOR_KERNEL
void bd_widen_weights_2x(const uint8_t *restrict half, int width, int channels, uint8_t *restrict wide) {
    const int half_width = (width + 1) / 2;
    for (int i = 0; i < half_width; i++) {
        const int left = i > 0 ? i - 1 : i, right = i + 1 < half_width ? i + 1 : i;
        const uint16_t centre = (uint16_t)(3 * half[i] + 2);
        const uint8_t even = (uint8_t)((uint16_t)(centre + half[left]) >> 2);
        const uint8_t odd = (uint8_t)((uint16_t)(centre + half[right]) >> 2);
        uint8_t *pair = wide + 2 * i * channels;
        if (channels == 3) {
            pair[0] = even; pair[1] = even; pair[2] = even;
            if (2 * i + 1 < width) { pair[3] = odd; pair[4] = odd; pair[5] = odd; }
        } else {
            pair[0] = even; pair[1] = even; pair[2] = even; pair[3] = 255;
            if (2 * i + 1 < width) { pair[4] = odd; pair[5] = odd; pair[6] = odd; pair[7] = 255; }
        }
    }
}

// Output pixel factor * i + k sits at (k + 0.5) / factor - 0.5 from small pixel i: a fixed mix of
// pixel i and its neighbour on that side, weights in 1/256 (2x: 3/4 and 1/4; 4x: 5/8 and 3/8, 7/8 and 1/8).
static inline void widen_exact(const uint8_t *restrict small, int width, int channels, int factor,
                               const uint16_t *restrict neighbour_weight, uint8_t *restrict wide) {
    const int small_width = (width + factor - 1) / factor;
    for (int i = 0; i < small_width; i++) {
        const uint8_t *centre = small + i * channels;
        const uint8_t *left = i > 0 ? centre - channels : centre;
        const uint8_t *right = i + 1 < small_width ? centre + channels : centre;
        for (int k = 0; k < factor; k++) {
            const int x = factor * i + k;
            if (x >= width) break;
            const uint8_t *side = 2 * k < factor ? left : right;
            const uint16_t b = neighbour_weight[k], a = (uint16_t)(256 - b);
            uint8_t *out = wide + x * channels;
            for (int c = 0; c < channels; c++) {
                out[c] = (uint8_t)((uint16_t)((uint16_t)(centre[c] * a) + (uint16_t)(side[c] * b) + 128) >> 8);
            }
        }
    }
}

BD_VECTOR_KERNEL
void bd_widen_row(const uint8_t *restrict small, int width, int channels, int factor, uint8_t *restrict wide) {
    static const uint16_t twice[2] = {64, 64}, four_times[4] = {96, 32, 32, 96};
    // Literal channel counts and factors, so the compiler unrolls and vectorises each case.
    if (factor == 4 && channels == 3) widen_exact(small, width, 3, 4, four_times, wide);
    else if (factor == 4 && channels == 4) widen_exact(small, width, 4, 4, four_times, wide);
    else if (factor == 4) widen_exact(small, width, channels, 4, four_times, wide);
    else if (channels == 3) widen_exact(small, width, 3, 2, twice, wide);
    else if (channels == 4) widen_exact(small, width, 4, 2, twice, wide);
    else widen_exact(small, width, channels, 2, twice, wide);
}

BD_VECTOR_KERNEL
void bd_matte_weights(const float *restrict mask, int count, float low, float high, int eased, uint8_t *restrict weights) {
    const float scale = 1.0f / (high - low);
    for (int i = 0; i < count; i++) {
        float t = (mask[i] - low) * scale;
        t = t > 0.0f ? (t < 1.0f ? t : 1.0f) : 0.0f;  // NaN fails both tests: 0
        const float w = eased ? t * t * (3.0f - 2.0f * t) : t;
        weights[i] = (uint8_t)(w * 255.0f + 0.5f);
    }
}

BD_VECTOR_KERNEL
void bd_blend_row(uint8_t *restrict out, const uint8_t *restrict above, const uint8_t *restrict below, uint16_t weight_below,
                  const uint8_t *restrict background_above, const uint8_t *restrict background_below,
                  uint16_t background_below_weight, int count) {
    const uint16_t weight_above = (uint16_t)(256 - weight_below);
    const uint16_t background_above_weight = (uint16_t)(256 - background_below_weight);
    for (int j = 0; j < count; j++) {
        const uint16_t mixed = (uint16_t)((uint16_t)((uint16_t)(above[j] * weight_above) + (uint16_t)(below[j] * weight_below) + 128) >> 8);
        const uint16_t w = (uint16_t)(mixed + (mixed >> 7)), inverse = (uint16_t)(256 - w);
        const uint16_t other = (uint16_t)((uint16_t)((uint16_t)(background_above[j] * background_above_weight)
                                                     + (uint16_t)(background_below[j] * background_below_weight) + 128) >> 8);
        out[j] = (uint8_t)((uint16_t)((uint16_t)(out[j] * w) + (uint16_t)(other * inverse) + 128) >> 8);
    }
}

static inline void guided_row(const float *restrict slope, const float *restrict offset, const int32_t *restrict first,
                              const int32_t *restrict second, const float *restrict weight, const uint8_t *restrict line,
                              int channels, int width, float *restrict out) {
    const float luma_scale = 1.0f / (255.0f * 256.0f);
    for (int x = 0; x < width; x++) {
        const int i0 = first[x], i1 = second[x];
        const float f = weight[x];
        const float a = slope[i0] + (slope[i1] - slope[i0]) * f;
        const float b = offset[i0] + (offset[i1] - offset[i0]) * f;
        const uint8_t *pixel = line + x * channels;
        const float luma = channels == 1 ? (float)(pixel[0] << 8)
                                         : (float)(77 * pixel[0] + 150 * pixel[1] + 29 * pixel[2]);
        const float q = a * luma * luma_scale + b;
        out[x] = q > 0.0f ? (q < 1.0f ? q : 1.0f) : 0.0f;
    }
}

BD_VECTOR_KERNEL
void bd_guided_row(const float *restrict slope, const float *restrict offset, const int32_t *restrict first,
                   const int32_t *restrict second, const float *restrict weight, const uint8_t *restrict line,
                   int channels, int width, float *restrict out) {
    if (channels == 3) guided_row(slope, offset, first, second, weight, line, 3, width, out);
    else if (channels == 4) guided_row(slope, offset, first, second, weight, line, 4, width, out);
    else guided_row(slope, offset, first, second, weight, line, channels, width, out);
}

static inline void luma_half(const uint8_t *restrict image, int width, int height, int channels, float *restrict luma) {
    const float scale = 1.0f / (4.0f * 255.0f * 256.0f);
    const int half_width = width / 2, row = width * channels;
    for (int y = 0; y < height / 2; y++) {
        const uint8_t *top = image + 2 * y * row, *bottom = top + row;
        float *out = luma + y * half_width;
        for (int x = 0; x < half_width; x++) {
            const uint8_t *a = top + 2 * x * channels, *b = bottom + 2 * x * channels;
            uint32_t sum;
            if (channels == 1) {
                sum = (uint32_t)(a[0] + a[1] + b[0] + b[1]) << 8;
            } else {
                const uint32_t red = a[0] + a[channels] + b[0] + b[channels];
                const uint32_t green = a[1] + a[channels + 1] + b[1] + b[channels + 1];
                const uint32_t blue = a[2] + a[channels + 2] + b[2] + b[channels + 2];
                sum = 77 * red + 150 * green + 29 * blue;
            }
            out[x] = (float)sum * scale;
        }
    }
}

BD_VECTOR_KERNEL
void bd_luma_half(const uint8_t *restrict image, int width, int height, int channels, float *restrict luma) {
    if (channels == 3) luma_half(image, width, height, 3, luma);
    else if (channels == 4) luma_half(image, width, height, 4, luma);
    else luma_half(image, width, height, channels, luma);
}

BD_VECTOR_KERNEL
void bd_mean_half(const float *restrict plane, int width, int height, float *restrict half) {
    const int half_width = width / 2;
    for (int y = 0; y < height / 2; y++) {
        const float *top = plane + 2 * y * width, *bottom = top + width;
        float *out = half + y * half_width;
        for (int x = 0; x < half_width; x++) {
            out[x] = (top[2 * x] + top[2 * x + 1] + bottom[2 * x] + bottom[2 * x + 1]) * 0.25f;
        }
    }
}

static inline void premultiply_background(const uint8_t *restrict image, const uint8_t *restrict person, int count,
                                          int channels, uint8_t *restrict out) {
    for (int i = 0; i < count; i++) {
        const uint16_t share = (uint16_t)(255 - person[i]);
        for (int c = 0; c < 3; c++) {
            // x * share / 255, rounded, without a division: (v + 128 + ((v + 128) >> 8)) >> 8.
            const uint16_t v = (uint16_t)(image[i * channels + c] * share + 128);
            out[i * 4 + c] = (uint8_t)((uint16_t)(v + (v >> 8)) >> 8);
        }
        out[i * 4 + 3] = (uint8_t)share;
    }
}

BD_VECTOR_KERNEL
void bd_premultiply_background(const uint8_t *restrict image, const uint8_t *restrict person, int count, int channels,
                               uint8_t *restrict out) {
    if (channels == 3) premultiply_background(image, person, count, 3, out);
    else if (channels == 4) premultiply_background(image, person, count, 4, out);
    else premultiply_background(image, person, count, channels, out);
}

static inline void unpremultiply(const uint8_t *restrict blurred, const uint8_t *restrict fallback, int count,
                                 int channels, int minimum_share, uint8_t *restrict out) {
    for (int i = 0; i < count; i++) {
        const int share = blurred[i * 4 + 3];
        const float scale = 255.0f / (float)(share > 0 ? share : 1);
        for (int c = 0; c < 3; c++) {
            const float v = (float)blurred[i * 4 + c] * scale + 0.5f;
            const uint8_t value = (uint8_t)(v < 255.0f ? v : 255.0f);
            out[i * channels + c] = share >= minimum_share ? value : fallback[i * channels + c];
        }
        if (channels == 4) out[i * 4 + 3] = fallback[i * 4 + 3];
    }
}

BD_VECTOR_KERNEL
void bd_unpremultiply(const uint8_t *restrict blurred, const uint8_t *restrict fallback, int count, int channels,
                      int minimum_share, uint8_t *restrict out) {
    if (channels == 3) unpremultiply(blurred, fallback, count, 3, minimum_share, out);
    else if (channels == 4) unpremultiply(blurred, fallback, count, 4, minimum_share, out);
    else unpremultiply(blurred, fallback, count, channels, minimum_share, out);
}

static inline uint8_t max3(uint8_t a, uint8_t b, uint8_t c) {
    const uint8_t ab = a > b ? a : b;
    return ab > c ? ab : c;
}

BD_VECTOR_KERNEL
void bd_dilate_3x3(const uint8_t *restrict plane, int width, int height, uint8_t *restrict scratch, uint8_t *restrict out) {
    for (int y = 0; y < height; y++) {  // along the rows into scratch
        const uint8_t *row = plane + (size_t)y * width;
        uint8_t *dst = scratch + (size_t)y * width;
        for (int x = 0; x < width; x++) {
            dst[x] = max3(row[x > 0 ? x - 1 : x], row[x], row[x + 1 < width ? x + 1 : x]);
        }
    }
    for (int y = 0; y < height; y++) {  // down the columns into out
        const uint8_t *above = scratch + (size_t)(y > 0 ? y - 1 : y) * width, *here = scratch + (size_t)y * width;
        const uint8_t *below = scratch + (size_t)(y + 1 < height ? y + 1 : y) * width;
        uint8_t *dst = out + (size_t)y * width;
        for (int x = 0; x < width; x++) dst[x] = max3(above[x], here[x], below[x]);
    }
}
