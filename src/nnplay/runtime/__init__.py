"""Infrastructure shared by every layer: process pools, atomic files, ports, browsers.

Nothing here knows about gates, digits or Gradio; torch is imported lazily (a worker
process sets its thread count), so importing this package costs nothing.
"""
