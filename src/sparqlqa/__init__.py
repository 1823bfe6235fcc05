"""sparqlqa: text-to-SPARQL question answering over any knowledge graph.

This package holds only what every part shares: the command line, the error tree and the
data folder. The parts themselves are the top-level packages ``kg``, ``ontology``,
``templates``, ``training``, ``eval`` and ``service``.
"""

__version__ = "0.1.0"
