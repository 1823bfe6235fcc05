-- Run once by the Virtuoso image on its first start: bulk-load the corporate graph.
ld_dir('/import', '*.ttl', 'https://text2sparql.aksw.org/2025/corporate/');
rdf_loader_run();
checkpoint;
