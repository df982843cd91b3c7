public enum BackdropMediaPlaceholder {}
