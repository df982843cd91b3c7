import Foundation

/// How the shown crop moves towards where it should be: a critically damped spring on each of the
/// window's centre and zoom (the fastest approach that never overshoots, so the crop neither
/// bounces nor stops short), with a dead zone: while the target stays within it of where the crop
/// rests, the crop does not move at all, so small head movements and landmark jitter leave the
/// picture still. A target outside the dead zone is followed until the crop has caught up, then
/// the crop rests again. Time comes from the frames' timestamps, so live and offline runs (and
/// any frame rate) move alike.
struct FramingMotion {
    /// The spring's rate at speed 1, per second: a jump is within 5% of its size after
    /// ~4.7 / rate seconds (0.67 s), most of it in the first quarter second.
    static let rateAtSpeedOne = 7.0
    /// How far (a share of the crop's width or height) the target may move before the crop follows.
    static let deadZone = 0.04
    /// How much (a ratio) the target's zoom may change before the crop follows.
    static let zoomDeadZone = 0.1
    /// Following stops once the crop is this close (a share of its width) to the target.
    static let caughtUp = 0.003
    /// The longest step between two frames the spring takes in one go, in seconds (a stall is not
    /// a reason to jump).
    static let longestStep = 0.25

    private(set) var shown: CropWindow
    private var velocity = (x: 0.0, y: 0.0, zoom: 0.0)
    /// Where the crop is heading (it rests here once there).
    private(set) var goal: CropWindow
    private var following = false

    init(resting window: CropWindow) {
        shown = window
        goal = window
    }

    /// One frame: `target` is where the crop should be now, `seconds` the time since the last frame.
    mutating func step(towards target: CropWindow, seconds: Double, speed: Double, width: Int, height: Int) {
        if following || outsideDeadZone(target, width: width, height: height) {
            goal = target
            following = true
        }
        let dt = min(max(seconds, 0), Self.longestStep)
        let rate = Self.rateAtSpeedOne * speed
        Self.spring(&shown.centreX, &velocity.x, towards: goal.centreX, rate: rate, seconds: dt)
        Self.spring(&shown.centreY, &velocity.y, towards: goal.centreY, rate: rate, seconds: dt)
        Self.spring(&shown.zoom, &velocity.zoom, towards: goal.zoom, rate: rate, seconds: dt)
        let cropWidth = Double(width) / shown.zoom
        if following, abs(shown.centreX - goal.centreX) < Self.caughtUp * cropWidth,
           abs(shown.centreY - goal.centreY) < Self.caughtUp * cropWidth, abs(shown.zoom - goal.zoom) < Self.caughtUp * shown.zoom {
            following = false
        }
    }

    /// Heads for `window` whatever the dead zone says (no face for a while: back to the full frame).
    mutating func head(for window: CropWindow) {
        goal = window
        following = true
    }

    private func outsideDeadZone(_ target: CropWindow, width: Int, height: Int) -> Bool {
        let cropWidth = Double(width) / goal.zoom, cropHeight = Double(height) / goal.zoom
        return abs(target.centreX - goal.centreX) > Self.deadZone * cropWidth
            || abs(target.centreY - goal.centreY) > Self.deadZone * cropHeight
            || abs(log(target.zoom / goal.zoom)) > log(1 + Self.zoomDeadZone)
    }

    /// The exact solution of a critically damped spring over `seconds` (stable for any step).
    static func spring(_ value: inout Double, _ velocity: inout Double, towards goal: Double, rate: Double, seconds: Double) {
        let decay = exp(-rate * seconds)
        let offset = value - goal
        let push = (velocity + rate * offset) * seconds
        velocity = (velocity - rate * push) * decay
        value = goal + (offset + push) * decay
    }
}
