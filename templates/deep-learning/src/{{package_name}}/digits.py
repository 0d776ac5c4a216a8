"""What a digit image is, for training and serving alike (no heavy imports here).

Images are 8x8 pixels valued 0 (background) to 16 (ink), as in scikit-learn's
digits; the model sees them divided by 16, so every input lies in [0, 1].
"""

IMAGE_SIZE = 8  # pixels a side
MAX_PIXEL_VALUE = 16.0
CLASSES = [str(digit) for digit in range(10)]
