import Hummingbird
import Prometheus
enum StudioPlaceholder {}
