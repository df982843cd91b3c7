import CMediaPipe

/// A landmark in normalized image coordinates: x and y in 0...1 of the image width and height,
/// z the depth relative to the face centre, on about the same scale as x.
public struct NormalizedLandmark: Sendable, Equatable, Codable {
    public var x: Float
    public var y: Float
    public var z: Float
    public var visibility: Float?
    public var presence: Float?

    public init(x: Float, y: Float, z: Float, visibility: Float? = nil, presence: Float? = nil) {
        self.x = x; self.y = y; self.z = z; self.visibility = visibility; self.presence = presence
    }
}

/// One blendshape score, 0...1.
public struct Blendshape: Sendable, Equatable, Codable {
    public var category: BlendshapeCategory
    public var score: Float
}

/// A row-major matrix (MediaPipe hands them over column-major; this type has already transposed).
public struct TransformationMatrix: Sendable, Equatable, Codable {
    public var rows: Int
    public var columns: Int
    public var values: [Float]

    public subscript(row: Int, column: Int) -> Float { values[row * columns + column] }
}

/// One detected face.
public struct DetectedFace: Sendable, Equatable, Codable {
    /// 478 landmarks (468 face mesh points and 10 iris points).
    public var landmarks: [NormalizedLandmark]
    /// The 52 blendshape scores, when asked for; empty otherwise.
    public var blendshapes: [Blendshape]
    /// The 4x4 facial transformation matrix, when asked for.
    public var transformationMatrix: TransformationMatrix?

    public init(landmarks: [NormalizedLandmark] = [], blendshapes: [Blendshape] = [], transformationMatrix: TransformationMatrix? = nil) {
        self.landmarks = landmarks
        self.blendshapes = blendshapes
        self.transformationMatrix = transformationMatrix
    }
}

/// What the face landmarker found in one image, copied out of MediaPipe.
public struct FaceLandmarkerResult: Sendable, Equatable, Codable {
    public var faces: [DetectedFace]
    /// Faces that dropped out of `faces` (a face left the picture), kept with their buffers so a
    /// face coming back reuses them: filling a result allocates only the first time it holds that
    /// many faces. Not part of the value (equality and coding ignore it). Room for a few is made
    /// up front, so the first face to leave does not allocate either.
    private var retired: [DetectedFace] = []

    public init(faces: [DetectedFace] = []) {
        self.faces = faces
        retired.reserveCapacity(4)
    }

    public static func == (lhs: FaceLandmarkerResult, rhs: FaceLandmarkerResult) -> Bool { lhs.faces == rhs.faces }

    private enum CodingKeys: String, CodingKey { case faces }

    public init(from decoder: any Decoder) throws {
        self.init(faces: try decoder.container(keyedBy: CodingKeys.self).decode([DetectedFace].self, forKey: .faces))
    }

    /// Overwrites this result with a MediaPipe result, reusing every buffer whose size is unchanged.
    mutating func fill(from result: MpFaceLandmarkerResult) {
        let count = Int(result.face_landmarks_count)
        while faces.count > count { retired.append(faces.removeLast()) }
        while faces.count < count { faces.append(retired.popLast() ?? DetectedFace()) }
        for index in 0..<count {
            faces[index].fill(landmarks: result.face_landmarks[index])
            if index < Int(result.face_blendshapes_count) {
                faces[index].fill(blendshapes: result.face_blendshapes[index])
            } else {
                faces[index].blendshapes.removeAll(keepingCapacity: true)
            }
            if index < Int(result.facial_transformation_matrixes_count) {
                faces[index].fill(matrix: result.facial_transformation_matrixes[index])
            } else {
                faces[index].transformationMatrix = nil
            }
        }
    }
}

extension DetectedFace {
    mutating func fill(landmarks source: MpNormalizedLandmarks) {
        let points = UnsafeBufferPointer(start: source.landmarks, count: Int(source.landmarks_count))
        if landmarks.count != points.count {
            landmarks = [NormalizedLandmark](repeating: NormalizedLandmark(x: 0, y: 0, z: 0), count: points.count)
        }
        for (index, point) in points.enumerated() {
            landmarks[index] = NormalizedLandmark(x: point.x, y: point.y, z: point.z,
                                                  visibility: point.has_visibility ? point.visibility : nil,
                                                  presence: point.has_presence ? point.presence : nil)
        }
    }

    mutating func fill(blendshapes source: MpCategories) {
        blendshapes.removeAll(keepingCapacity: true)
        for category in UnsafeBufferPointer(start: source.categories, count: Int(source.categories_count)) {
            guard let kind = BlendshapeCategory(rawValue: Int(category.index)) else { continue }
            blendshapes.append(Blendshape(category: kind, score: category.score))
        }
    }

    mutating func fill(matrix source: MpMatrix) {
        let rows = Int(source.rows), columns = Int(source.cols)
        var matrix = transformationMatrix ?? TransformationMatrix(rows: rows, columns: columns, values: [])
        transformationMatrix = nil  // keep `matrix` uniquely referenced so its storage is reused
        matrix.rows = rows
        matrix.columns = columns
        if matrix.values.count != rows * columns { matrix.values = [Float](repeating: 0, count: rows * columns) }
        if let data = source.data {
            for row in 0..<rows {
                for column in 0..<columns { matrix.values[row * columns + column] = data[column * rows + row] }
            }
        }
        transformationMatrix = matrix
    }
}
