"""Snap a car: find catalogue models, and the paint, from a customer's photo (DESIGN.md §7).

- ``model_file``: the ONNX image model, exported at set-up from a PyPI wheel.
- ``engine``: runs it (onnxruntime, one thread): vehicle probability, where the car is, embedding.
- uploads are checked and decoded by ``vendingstore.uploads`` (limits in ``conf``).
- ``paint``: the body colour in Lab space and the nearest catalogue paint.
- ``keypoints``: ORB matching, for a photo of one of our own catalogue pictures.
- ``classifier``: a softmax regression over the store's photo embeddings.
- ``services`` (index, train) and ``selectors`` (``snapcar_query``); ``tasks`` for Celery.
"""
