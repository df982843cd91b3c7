import BackdropCore
import BackdropEffects
import BackdropMediaPipe
import XCTest

final class LandmarkOverlayTests: XCTestCase {
    private func changedPixels(_ a: PixelImage, _ b: PixelImage) -> Int {
        var count = 0
        for i in 0..<(a.width * a.height) where a.pixels[i * 3] != b.pixels[i * 3]
            || a.pixels[i * 3 + 1] != b.pixels[i * 3 + 1] || a.pixels[i * 3 + 2] != b.pixels[i * 3 + 2] { count += 1 }
        return count
    }

    /// The mesh joins the 468 mesh points with 2556 lines, so it paints far more pixels than the dots.
    func testMeshDrawsLinesBetweenTheLandmarks() throws {
        let photo = try Fixtures.astronaut()
        let landmarker = try FaceLandmarker(options: .init(modelPath: ModelDirectory().faceLandmarkerPath))
        let faces = try landmarker.detect(photo)
        XCTAssertEqual(faces.faces.count, 1)
        XCTAssertEqual(FaceMeshConnections.tessellation.count, 2 * 2556)
        XCTAssertEqual(FaceMeshConnections.contours.count, 2 * 124)
        XCTAssertLessThan(FaceMeshConnections.tessellation.max() ?? 0, 468)

        var points = photo, mesh = photo, contours = photo
        LandmarkOverlay.draw(faces, on: &points, style: .points, color: (0, 255, 255), radius: 0)
        LandmarkOverlay.draw(faces, on: &mesh, style: .mesh, color: (0, 255, 255))
        LandmarkOverlay.draw(faces, on: &contours, style: .contours, color: (0, 255, 255))
        let pointPixels = changedPixels(points, photo), meshPixels = changedPixels(mesh, photo)
        let contourPixels = changedPixels(contours, photo)
        print("landmark overlay: points \(pointPixels) pixels, mesh \(meshPixels), contours \(contourPixels)")
        XCTAssertGreaterThan(meshPixels, 2 * pointPixels)
        XCTAssertGreaterThan(contourPixels, 100)

        // Through the renderer too.
        var rendered = photo
        EffectRenderer(effect: .landmarks(.mesh)).apply(to: &rendered, mask: ConfidenceMask(), faces: faces)
        XCTAssertGreaterThan(changedPixels(rendered, photo), 2 * pointPixels)
    }
}
