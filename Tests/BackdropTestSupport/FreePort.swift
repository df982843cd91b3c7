/// A loopback port nothing uses right now (`LoopbackPorts.free`), as the source tests spell it.
public func freePort(_ transport: LoopbackPorts.Transport) throws -> Int {
    try LoopbackPorts.free(transport)
}
