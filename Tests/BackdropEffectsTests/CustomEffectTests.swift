import BackdropCore
import BackdropEffects
import BackdropMediaPipe
import XCTest

/// Effects are an open protocol: an effect of the app's own runs in the renderer like a built-in one.
final class CustomEffectTests: XCTestCase {
    /// Darkens the background by the mask: a minimal "vignette" an app might write.
    final class DarkenBackground: FrameEffect, @unchecked Sendable {
        var framesSeen = 0
        func apply(to frame: inout PixelImage, mask: ConfidenceMask, faces: FaceLandmarkerResult) {
            framesSeen += 1
            let channels = frame.format.bytesPerPixel
            for index in mask.values.indices where mask.values[index] < 0.5 {
                for channel in 0..<channels { frame.pixels[index * channels + channel] /= 4 }
            }
        }
    }

    func testAnAppsOwnEffectGetsTheRefinedFullSizeMaskAndDrawsOnlyWhereItSays() throws {
        let photo = try Fixtures.astronaut()
        let mask = try Fixtures.personMask(photo)
        let darken = DarkenBackground()
        let renderer = EffectRenderer(effect: .custom(darken), smoothsMask: false)
        XCTAssertTrue(renderer.frameEffect === darken, "the renderer runs the app's object itself")
        var frame = photo
        renderer.apply(to: &frame, mask: mask, faces: nil)
        XCTAssertEqual(darken.framesSeen, 1)
        var background = 0, person = 0
        for index in mask.values.indices {
            let (before, after) = (photo.pixels[index * 3], frame.pixels[index * 3])
            if mask.values[index] < 0.5 { background += 1; XCTAssertEqual(after, before / 4) }
            else { person += 1; XCTAssertEqual(after, before) }
        }
        XCTAssertGreaterThan(background, 50_000, "the photo has background")
        XCTAssertGreaterThan(person, 20_000, "and a person")
        // Switching away and back to a built-in effect builds the built-in's own object; the app's is left alone.
        renderer.effect = .blur(strength: 12)
        XCTAssertTrue(renderer.frameEffect is BackgroundBlur)
        XCTAssertEqual(Effect.custom(darken), Effect.custom(darken), "custom effects are equal when they are the same object")
        XCTAssertNotEqual(Effect.custom(darken), Effect.custom(DarkenBackground()))
    }
}
