#include "CMediaPipe.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static BDMediaPipeAPI loaded_api;

const BDMediaPipeAPI *bd_mediapipe_load(const char *path, char *error, size_t error_capacity) {
  BDMediaPipeAPI *api = &loaded_api;
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    snprintf(error, error_capacity, "%s", dlerror());
    return NULL;
  }
  memset(api, 0, sizeof(*api));
#define RESOLVE(name)                                                                          \
  do {                                                                                         \
    *(void **)(&api->name) = dlsym(handle, #name);                                             \
    if (api->name == NULL) {                                                                   \
      snprintf(error, error_capacity, "%s has no symbol %s (wrong mediapipe version?)", path,  \
               #name);                                                                         \
      dlclose(handle);                                                                         \
      return NULL;                                                                                \
    }                                                                                          \
  } while (0)
  RESOLVE(MpErrorFree);
  RESOLVE(MpStringListFree);
  RESOLVE(MpImageCreateFromUint8Data);
  RESOLVE(MpImageFree);
  RESOLVE(MpImageGetWidth);
  RESOLVE(MpImageGetHeight);
  RESOLVE(MpImageGetChannels);
  RESOLVE(MpImageGetWidthStep);
  RESOLVE(MpImageGetFormat);
  RESOLVE(MpImageDataUint8);
  RESOLVE(MpImageDataFloat32);
  RESOLVE(MpImageSegmenterCreate);
  RESOLVE(MpImageSegmenterSegmentImage);
  RESOLVE(MpImageSegmenterSegmentForVideo);
  RESOLVE(MpImageSegmenterSegmentAsync);
  RESOLVE(MpImageSegmenterGetLabels);
  RESOLVE(MpImageSegmenterCloseResult);
  RESOLVE(MpImageSegmenterClose);
  RESOLVE(MpFaceLandmarkerCreate);
  RESOLVE(MpFaceLandmarkerDetectImage);
  RESOLVE(MpFaceLandmarkerDetectForVideo);
  RESOLVE(MpFaceLandmarkerDetectAsync);
  RESOLVE(MpFaceLandmarkerCloseResult);
  RESOLVE(MpFaceLandmarkerClose);
  RESOLVE(MpFaceDetectorCreate);
  RESOLVE(MpFaceDetectorDetectImage);
  RESOLVE(MpFaceDetectorDetectForVideo);
  RESOLVE(MpFaceDetectorCloseResult);
  RESOLVE(MpFaceDetectorClose);
#undef RESOLVE
  // The handle stays open for the life of the process: task instances hold code in it.
  return api;
}
