#include "CMediaPipe.h"

// Generated slot functions: see BD_CALLBACK_SLOTS in CMediaPipe.h for why they exist.

static BDSegmenterDispatch segmenter_dispatch;
static BDFaceLandmarkerDispatch face_dispatch;

void bd_set_segmenter_dispatch(BDSegmenterDispatch d) { segmenter_dispatch = d; }
void bd_set_face_landmarker_dispatch(BDFaceLandmarkerDispatch d) { face_dispatch = d; }

#define SLOT(n) \
  static void segmenter_slot_##n(int32_t s, const MpImageSegmenterResult *r, MpImagePtr i, int64_t t) { \
    (void)i; segmenter_dispatch(n, s, r, t); } \
  static void face_slot_##n(int32_t s, const MpFaceLandmarkerResult *r, MpImagePtr i, int64_t t) { \
    (void)i; face_dispatch(n, s, r, t); }

SLOT(0)
SLOT(1)
SLOT(2)
SLOT(3)
SLOT(4)
SLOT(5)
SLOT(6)
SLOT(7)
SLOT(8)
SLOT(9)
SLOT(10)
SLOT(11)
SLOT(12)
SLOT(13)
SLOT(14)
SLOT(15)
SLOT(16)
SLOT(17)
SLOT(18)
SLOT(19)
SLOT(20)
SLOT(21)
SLOT(22)
SLOT(23)
SLOT(24)
SLOT(25)
SLOT(26)
SLOT(27)
SLOT(28)
SLOT(29)
SLOT(30)
SLOT(31)
SLOT(32)
SLOT(33)
SLOT(34)
SLOT(35)
SLOT(36)
SLOT(37)
SLOT(38)
SLOT(39)
SLOT(40)
SLOT(41)
SLOT(42)
SLOT(43)
SLOT(44)
SLOT(45)
SLOT(46)
SLOT(47)
SLOT(48)
SLOT(49)
SLOT(50)
SLOT(51)
SLOT(52)
SLOT(53)
SLOT(54)
SLOT(55)
SLOT(56)
SLOT(57)
SLOT(58)
SLOT(59)
SLOT(60)
SLOT(61)
SLOT(62)
SLOT(63)

#undef SLOT

static const MpImageSegmenterCallback segmenter_slots[BD_CALLBACK_SLOTS] = {
  segmenter_slot_0, segmenter_slot_1, segmenter_slot_2, segmenter_slot_3, segmenter_slot_4, segmenter_slot_5, segmenter_slot_6, segmenter_slot_7, segmenter_slot_8, segmenter_slot_9, segmenter_slot_10, segmenter_slot_11, segmenter_slot_12, segmenter_slot_13, segmenter_slot_14, segmenter_slot_15, segmenter_slot_16, segmenter_slot_17, segmenter_slot_18, segmenter_slot_19, segmenter_slot_20, segmenter_slot_21, segmenter_slot_22, segmenter_slot_23, segmenter_slot_24, segmenter_slot_25, segmenter_slot_26, segmenter_slot_27, segmenter_slot_28, segmenter_slot_29, segmenter_slot_30, segmenter_slot_31, segmenter_slot_32, segmenter_slot_33, segmenter_slot_34, segmenter_slot_35, segmenter_slot_36, segmenter_slot_37, segmenter_slot_38, segmenter_slot_39, segmenter_slot_40, segmenter_slot_41, segmenter_slot_42, segmenter_slot_43, segmenter_slot_44, segmenter_slot_45, segmenter_slot_46, segmenter_slot_47, segmenter_slot_48, segmenter_slot_49, segmenter_slot_50, segmenter_slot_51, segmenter_slot_52, segmenter_slot_53, segmenter_slot_54, segmenter_slot_55, segmenter_slot_56, segmenter_slot_57, segmenter_slot_58, segmenter_slot_59, segmenter_slot_60, segmenter_slot_61, segmenter_slot_62, segmenter_slot_63
};
static const MpFaceLandmarkerCallback face_slots[BD_CALLBACK_SLOTS] = {
  face_slot_0, face_slot_1, face_slot_2, face_slot_3, face_slot_4, face_slot_5, face_slot_6, face_slot_7, face_slot_8, face_slot_9, face_slot_10, face_slot_11, face_slot_12, face_slot_13, face_slot_14, face_slot_15, face_slot_16, face_slot_17, face_slot_18, face_slot_19, face_slot_20, face_slot_21, face_slot_22, face_slot_23, face_slot_24, face_slot_25, face_slot_26, face_slot_27, face_slot_28, face_slot_29, face_slot_30, face_slot_31, face_slot_32, face_slot_33, face_slot_34, face_slot_35, face_slot_36, face_slot_37, face_slot_38, face_slot_39, face_slot_40, face_slot_41, face_slot_42, face_slot_43, face_slot_44, face_slot_45, face_slot_46, face_slot_47, face_slot_48, face_slot_49, face_slot_50, face_slot_51, face_slot_52, face_slot_53, face_slot_54, face_slot_55, face_slot_56, face_slot_57, face_slot_58, face_slot_59, face_slot_60, face_slot_61, face_slot_62, face_slot_63
};

MpImageSegmenterCallback bd_segmenter_callback(int slot) {
  return (slot >= 0 && slot < BD_CALLBACK_SLOTS) ? segmenter_slots[slot] : 0;
}
MpFaceLandmarkerCallback bd_face_landmarker_callback(int slot) {
  return (slot >= 0 && slot < BD_CALLBACK_SLOTS) ? face_slots[slot] : 0;
}
