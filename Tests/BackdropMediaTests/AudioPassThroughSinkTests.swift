import BackdropCore
@testable import BackdropMedia
import CFFmpeg
import Foundation
import XCTest

/// Audio packets pass through a file sink unchanged: same bytes, interleaved with the video.
final class AudioPassThroughSinkTests: SinkTestCase {
    func testAACPassesThroughIntoMatroskaAndMP4() throws {
        let tone = path("tone.m4a")
        let made = try run("ffmpeg", ["-v", "error", "-nostdin", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                                      "-c:a", "aac", "-b:a", "64k", tone])
        XCTAssertEqual(made.status, 0, made.errors)
        let (track, packets) = try readAudio(tone)
        XCTAssertEqual(track.codecName, "aac")
        XCTAssertGreaterThan(packets.count, 80)  // 2 s of 1024-sample AAC frames at 44.1 kHz: ~88

        for name in ["with-audio.mkv", "with-audio.mp4"] {
            let file = path(name)
            let sink = try VideoFileSink(path: file, width: 320, height: 240, frameRate: 30, audio: track)
            var next = 0
            for index in 0..<60 {
                let frame = Self.gradient(index)
                // Hand audio over in time with the video, as a source's audioHandler would.
                while next < packets.count, (packets[next].timestampMicroseconds ?? 0) <= frame.timestampMicroseconds {
                    try sink.writeAudio(packets[next])
                    next += 1
                }
                try sink.write(frame)
            }
            while next < packets.count { try sink.writeAudio(packets[next]); next += 1 }
            try sink.finish()

            XCTAssertEqual(try probe(file).frames, 60, name)
            let audio = try run("ffprobe", ["-v", "error", "-select_streams", "a:0", "-count_packets", "-show_entries",
                                            "stream=codec_name,nb_read_packets,sample_rate", "-of", "csv=p=0", file])
            XCTAssertEqual(String(decoding: audio.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
                           "aac,\(track.sampleRate),\(packets.count)", name)
            XCTAssertEqual(try audioHash(file), try audioHash(tone), "\(name): the audio bytes are unchanged")
        }
    }

    /// The first audio stream's track and all its packets, read with libavformat directly (a test
    /// must not depend on Backdrop's sources to check the sinks).
    private func readAudio(_ file: String) throws -> (AudioTrack, [EncodedPacket]) {
        var input: UnsafeMutablePointer<AVFormatContext>?
        XCTAssertEqual(avformat_open_input(&input, file, nil, nil), 0)
        defer { avformat_close_input(&input) }
        guard let context = input, avformat_find_stream_info(context, nil) >= 0 else { throw ToolFailed(message: "open \(file)") }
        let index = av_find_best_stream(context, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
        guard index >= 0, let stream = context.pointee.streams[Int(index)],
              let track = AudioTrack(copying: stream.pointee.codecpar, timeBase: stream.pointee.time_base) else {
            throw ToolFailed(message: "no audio in \(file)")
        }
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        var packets: [EncodedPacket] = []
        while av_read_frame(context, packet) >= 0 {
            if packet!.pointee.stream_index == index,
               let encoded = EncodedPacket(referencing: packet!, timeBase: stream.pointee.time_base) {
                packets.append(encoded)
            }
            av_packet_unref(packet)
        }
        return (track, packets)
    }

    private func audioHash(_ file: String) throws -> String {
        let result = try run("ffmpeg", ["-v", "error", "-nostdin", "-i", file, "-map", "0:a", "-c", "copy", "-f", "md5", "-"])
        XCTAssertEqual(result.status, 0, result.errors)
        return String(decoding: result.output, as: UTF8.self)
    }
}
