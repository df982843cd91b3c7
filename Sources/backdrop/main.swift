import BackdropCLI
import BackdropCore

// Before any thread starts: one malloc arena keeps resident memory flat over hours (see MallocArenas).
MallocArenas.limit(to: 1)
await BackdropCommand.runAsMain()
