import BackdropCore

/// The command that installs the runtime and the models, as the not-found errors name it.
public enum InstallCommand {
    /// `backdrop install` puts both in the per-user folder (``UserInstallFolder``) for any program.
    public static let userInstall = "backdrop install"

    /// Inside a checkout, its scripts/setup.sh (which provisions the checkout's .venv and models/);
    /// anywhere else, `backdrop install`.
    public static var forThisProcess: String {
        Checkout.root() == nil ? userInstall : Checkout.setupCommand
    }
}
