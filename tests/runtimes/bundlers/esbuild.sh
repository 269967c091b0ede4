esbuild main.js --bundle --format=esm --outdir=dist
