// The MediaPipe Tasks C ABI as shipped in libmediapipe.so (PyPI wheel mediapipe==1.2.2).
//
// The wheel ships no headers: these declarations follow the wheel's own ctypes bindings
// (mediapipe/tasks/python/**). Nothing here links against the library; `bd_mediapipe_load`
// opens it at run time, so the package builds on machines that do not have it.
#ifndef BACKDROP_CMEDIAPIPE_H
#define BACKDROP_CMEDIAPIPE_H

#pragma clang diagnostic ignored "-Wnullability-completeness"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void *MpImagePtr;  // opaque mediapipe Image
typedef void *MpTaskPtr;   // opaque task instance

enum { MP_RUNNING_MODE_IMAGE = 1, MP_RUNNING_MODE_VIDEO = 2, MP_RUNNING_MODE_LIVE_STREAM = 3 };
enum {
  MP_IMAGE_FORMAT_SRGB = 1, MP_IMAGE_FORMAT_SRGBA = 2, MP_IMAGE_FORMAT_GRAY8 = 3,
  MP_IMAGE_FORMAT_VEC32F1 = 9
};
enum { MP_DELEGATE_CPU = 1 };
enum { MP_HOST_SYSTEM_LINUX = 1 };

typedef struct {
  const char *model_asset_buffer;
  unsigned int model_asset_buffer_count;
  const char *model_asset_path;
  int file_descriptor;
  int delegate;
  int host_environment;
  int host_system;
  const char *host_version;   // must not be NULL
  const char *ca_bundle_path; // must not be NULL
  const char *app_id;         // must not be NULL
  const char *app_version;    // must not be NULL
} MpBaseOptions;

typedef struct { float left, top, bottom, right; } MpRectF;

typedef struct {
  int has_region_of_interest; // an int upstream: a 1-byte bool would leave 3 undefined bytes behind it

  MpRectF region_of_interest;
  int rotation_degrees;
} MpImageProcessingOptions;

typedef struct { char **strings; int num_strings; } MpStringList;

// ---- Image segmenter ----------------------------------------------------------------------
typedef struct {
  MpImagePtr *confidence_masks;
  uint32_t confidence_masks_count;
  MpImagePtr category_mask;
  uint32_t has_category_mask;
  float *quality_scores;
  uint32_t quality_scores_count;
} MpImageSegmenterResult;

typedef void (*MpImageSegmenterCallback)(int32_t status, const MpImageSegmenterResult *result,
                                         MpImagePtr image, int64_t timestamp_ms);

typedef struct {
  MpBaseOptions base_options;
  int running_mode;
  const char *display_names_locale; // must not be NULL
  bool output_confidence_masks;
  bool output_category_mask;
  MpImageSegmenterCallback result_callback;
} MpImageSegmenterOptions;

// ---- Face landmarker ----------------------------------------------------------------------
typedef struct {
  float x, y, z;
  bool has_visibility;
  float visibility;
  bool has_presence;
  float presence;
  const char *name;
} MpNormalizedLandmark;

typedef struct { MpNormalizedLandmark *landmarks; uint32_t landmarks_count; } MpNormalizedLandmarks;

typedef struct {
  int index;
  float score;
  const char *category_name;
  const char *display_name;
} MpCategory;

typedef struct { MpCategory *categories; uint32_t categories_count; } MpCategories;

typedef struct { uint32_t rows, cols; float *data; /* column-major */ } MpMatrix;

typedef struct {
  MpNormalizedLandmarks *face_landmarks;
  uint32_t face_landmarks_count;
  MpCategories *face_blendshapes;
  uint32_t face_blendshapes_count;
  MpMatrix *facial_transformation_matrixes;
  uint32_t facial_transformation_matrixes_count;
} MpFaceLandmarkerResult;

typedef void (*MpFaceLandmarkerCallback)(int32_t status, const MpFaceLandmarkerResult *result,
                                         MpImagePtr image, int64_t timestamp_ms);

typedef struct {
  MpBaseOptions base_options;
  int running_mode;
  int num_faces;
  float min_face_detection_confidence;
  float min_face_presence_confidence;
  float min_tracking_confidence;
  bool output_face_blendshapes;
  bool output_facial_transformation_matrixes;
  MpFaceLandmarkerCallback result_callback;
} MpFaceLandmarkerOptions;

// ---- Face detector (BlazeFace short range: face_detector.tflite inside face_landmarker.task) ----
// Upstream: mediapipe/tasks/c/vision/face_detector/face_detector.h and
// mediapipe/tasks/c/components/containers/{detection_result,rect,keypoint}.h.
typedef struct { int left, top, bottom, right; } MpRect;  // pixels of the image given

typedef struct {
  float x, y;        // normalized image coordinates
  char *label;       // NULL when absent
  float score;
  bool has_score;
} MpNormalizedKeypoint;

typedef struct {
  MpCategory *categories;
  uint32_t categories_count;
  MpRect bounding_box;
  MpNormalizedKeypoint *keypoints;
  uint32_t keypoints_count;
} MpDetection;

typedef struct { MpDetection *detections; uint32_t detections_count; } MpDetectionResult;

typedef void (*MpFaceDetectorCallback)(int32_t status, const MpDetectionResult *result,
                                       MpImagePtr image, int64_t timestamp_ms);

typedef struct {
  MpBaseOptions base_options;
  int running_mode;
  float min_detection_confidence;
  float min_suppression_threshold;
  MpFaceDetectorCallback result_callback;
} MpFaceDetectorOptions;

// ---- The entry points, resolved with dlsym --------------------------------------------------
typedef struct {
  void (*_Nonnull MpErrorFree)(char *error);
  void (*_Nonnull MpStringListFree)(MpStringList *list);

  int (*_Nonnull MpImageCreateFromUint8Data)(int format, int width, int height, const uint8_t *data,
                                    int size, MpImagePtr *out, char **error);
  void (*_Nonnull MpImageFree)(MpImagePtr image);
  int (*_Nonnull MpImageGetWidth)(MpImagePtr image);
  int (*_Nonnull MpImageGetHeight)(MpImagePtr image);
  int (*_Nonnull MpImageGetChannels)(MpImagePtr image);
  int (*_Nonnull MpImageGetWidthStep)(MpImagePtr image);
  int (*_Nonnull MpImageGetFormat)(MpImagePtr image);
  int (*_Nonnull MpImageDataUint8)(MpImagePtr image, const uint8_t **out, char **error);
  int (*_Nonnull MpImageDataFloat32)(MpImagePtr image, const float **out, char **error);

  int (*_Nonnull MpImageSegmenterCreate)(const MpImageSegmenterOptions *options, MpTaskPtr *out, char **error);
  int (*_Nonnull MpImageSegmenterSegmentImage)(MpTaskPtr task, MpImagePtr image,
                                      const MpImageProcessingOptions *processing,
                                      MpImageSegmenterResult *result, char **error);
  int (*_Nonnull MpImageSegmenterSegmentForVideo)(MpTaskPtr task, MpImagePtr image,
                                         const MpImageProcessingOptions *processing,
                                         int64_t timestamp_ms, MpImageSegmenterResult *result,
                                         char **error);
  int (*_Nonnull MpImageSegmenterSegmentAsync)(MpTaskPtr task, MpImagePtr image,
                                      const MpImageProcessingOptions *processing,
                                      int64_t timestamp_ms, char **error);
  int (*_Nonnull MpImageSegmenterGetLabels)(MpTaskPtr task, MpStringList *labels, char **error);
  void (*_Nonnull MpImageSegmenterCloseResult)(MpImageSegmenterResult *result);
  int (*_Nonnull MpImageSegmenterClose)(MpTaskPtr task, char **error);

  int (*_Nonnull MpFaceLandmarkerCreate)(const MpFaceLandmarkerOptions *options, MpTaskPtr *out, char **error);
  int (*_Nonnull MpFaceLandmarkerDetectImage)(MpTaskPtr task, MpImagePtr image,
                                     const MpImageProcessingOptions *processing,
                                     MpFaceLandmarkerResult *result, char **error);
  int (*_Nonnull MpFaceLandmarkerDetectForVideo)(MpTaskPtr task, MpImagePtr image,
                                        const MpImageProcessingOptions *processing,
                                        int64_t timestamp_ms, MpFaceLandmarkerResult *result,
                                        char **error);
  int (*_Nonnull MpFaceLandmarkerDetectAsync)(MpTaskPtr task, MpImagePtr image,
                                     const MpImageProcessingOptions *processing,
                                     int64_t timestamp_ms, char **error);
  void (*_Nonnull MpFaceLandmarkerCloseResult)(MpFaceLandmarkerResult *result);
  int (*_Nonnull MpFaceLandmarkerClose)(MpTaskPtr task, char **error);

  int (*_Nonnull MpFaceDetectorCreate)(const MpFaceDetectorOptions *options, MpTaskPtr *out, char **error);
  int (*_Nonnull MpFaceDetectorDetectImage)(MpTaskPtr task, MpImagePtr image,
                                   const MpImageProcessingOptions *processing,
                                   MpDetectionResult *result, char **error);
  int (*_Nonnull MpFaceDetectorDetectForVideo)(MpTaskPtr task, MpImagePtr image,
                                      const MpImageProcessingOptions *processing,
                                      int64_t timestamp_ms, MpDetectionResult *result, char **error);
  void (*_Nonnull MpFaceDetectorCloseResult)(MpDetectionResult *result);
  int (*_Nonnull MpFaceDetectorClose)(MpTaskPtr task, char **error);
} BDMediaPipeAPI;

/// Opens `path` with dlopen and resolves every entry point. Returns the table (static storage,
/// valid for the life of the process) or NULL with a message (the dlerror text or the missing
/// symbol) in `error`. Not thread-safe: the Swift side calls it under a lock.
const BDMediaPipeAPI *_Nullable bd_mediapipe_load(const char *_Nonnull path, char *_Nonnull error,
                                                  size_t error_capacity);

// ---- Live-stream callbacks --------------------------------------------------------------------
// MediaPipe's result callbacks carry no user-data pointer. Each task instance therefore gets a
// distinct C function (a "slot") that forwards to one dispatcher together with its slot number.
#define BD_CALLBACK_SLOTS 64

typedef void (*BDSegmenterDispatch)(int slot, int32_t status, const MpImageSegmenterResult *result,
                                    int64_t timestamp_ms);
typedef void (*BDFaceLandmarkerDispatch)(int slot, int32_t status,
                                         const MpFaceLandmarkerResult *result, int64_t timestamp_ms);

void bd_set_segmenter_dispatch(BDSegmenterDispatch dispatch);
void bd_set_face_landmarker_dispatch(BDFaceLandmarkerDispatch dispatch);
MpImageSegmenterCallback bd_segmenter_callback(int slot);
MpFaceLandmarkerCallback bd_face_landmarker_callback(int slot);

#ifdef __cplusplus
}
#endif
#endif
