"""App: the composition root — argument parsing, the QApplication and qasync loop, wiring, shutdown."""
