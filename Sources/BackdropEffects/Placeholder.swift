public enum BackdropEffectsPlaceholder {}
