// index.html's start, after its scripts (index.js, supervision.js, accidents.js, channels.js, patrol.js) defined everything
start();
