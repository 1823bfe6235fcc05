"""What the translator is shown of a graph: its schema (``schema``), the terms that matter to a
question (``retrieve``, with embeddings from ``embed``), the entities the question names
(``link``), and the prompt (``prompt``; all together in ``context``). See docs/ontology.md.

Nothing here loads a model at import time.
"""
